/* The Honor Code block, learner side: send the acceptance and announce the result.
 * Every string shown to the learner comes translated from the server (initArgs.messages or the response). */
function HonorCodeXBlock(runtime, element, initArgs) {
    'use strict';
    var root = (element.jquery ? element[0] : element).querySelector('.honorcode-block');
    if (!root) { return {}; }
    var form = root.querySelector('.hc-accept-form');
    var status = root.querySelector('.hc-status');
    var errorBox = root.querySelector('.hc-error');
    var messages = (initArgs && initArgs.messages) || {};
    var handlerUrl = runtime.handlerUrl(element.jquery ? element[0] : element, 'accept');

    function csrfToken() {
        var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
        return match ? decodeURIComponent(match[1]) : '';
    }

    function showError(message, field) {
        errorBox.textContent = message;
        status.textContent = '';
        if (field) {
            field.setAttribute('aria-invalid', 'true');
            field.focus();
        }
    }

    function showAccepted(message) {
        root.querySelector('.hc-accept').hidden = true;
        var confirmation = root.querySelector('.hc-confirmation');
        confirmation.querySelector('.hc-confirmation-detail').textContent = message;
        confirmation.hidden = false;
        root.setAttribute('data-accepted', 'true');
        errorBox.textContent = '';
        status.textContent = message;
        confirmation.focus();
    }

    if (!form) { return {}; }
    form.addEventListener('submit', function (event) {
        event.preventDefault();
        var button = form.querySelector('button[type=submit]');
        var checkbox = form.querySelector('input[name=confirmed]');
        var signature = form.querySelector('input[name=signature]');
        var payload = signature ? {signature: signature.value} : {confirmed: !!(checkbox && checkbox.checked)};
        button.disabled = true;
        errorBox.textContent = '';
        status.textContent = messages.saving || '';
        fetch(handlerUrl, {
            method: 'POST',
            credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(),
                      'X-Requested-With': 'XMLHttpRequest'},
            body: JSON.stringify(payload)
        }).then(function (response) {
            return response.json().catch(function () { return {}; }).then(function (body) {
                if (response.ok && body.accepted) {
                    showAccepted(body.message);
                } else {
                    showError(body.error || messages.network_error, signature || checkbox);
                }
            });
        }).catch(function () {
            showError(messages.network_error);
        }).then(function () {
            button.disabled = false;
        });
    });
    return {};
}
