/* Shared by the Honor Code block's learner and Studio scripts: a JSON POST to a block handler with Django's CSRF
 * token. Resolves to {ok, status, body}; rejects only when the request could not be sent. */
window.HonorCodeCommon = window.HonorCodeCommon || (function () {
    'use strict';
    function csrfToken() {
        var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
        return match ? decodeURIComponent(match[1]) : '';
    }

    function postJSON(url, payload) {
        return fetch(url, {
            method: 'POST',
            credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(),
                      'X-Requested-With': 'XMLHttpRequest'},
            body: JSON.stringify(payload)
        }).then(function (response) {
            return response.json().catch(function () { return {}; }).then(function (body) {
                return {ok: response.ok, status: response.status, body: body};
            });
        });
    }

    return {postJSON: postJSON};
}());
