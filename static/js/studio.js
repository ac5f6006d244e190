/* The Honor Code block, Studio editor: save the author's settings and show each field's error next to it.
 * Every string shown comes translated from the server (initArgs.messages or the response). */
function HonorCodeStudio(runtime, element, initArgs) {
    'use strict';
    var host = element.jquery ? element[0] : element;
    var form = host.querySelector('.hc-studio-form');
    var status = form.querySelector('.hc-status');
    var summary = form.querySelector('.hc-error-summary');
    var messages = (initArgs && initArgs.messages) || {};
    var handlerUrl = runtime.handlerUrl(host, 'studio_submit');
    var FIELDS = ['display_name', 'course_terms', 'collaboration', 'acceptance_mode', 'gate_graded_content'];

    function csrfToken() {
        var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
        return match ? decodeURIComponent(match[1]) : '';
    }

    function notify(name, data) {
        if (runtime.notify) { runtime.notify(name, data); }
    }

    function control(name) {
        return form.querySelector('[name=' + name + ']');
    }

    function values() {
        var mode = form.querySelector('input[name=acceptance_mode]:checked');
        return {
            display_name: control('display_name').value,
            course_terms: control('course_terms').value,
            collaboration: control('collaboration').value,
            acceptance_mode: mode ? mode.value : '',
            gate_graded_content: control('gate_graded_content').checked
        };
    }

    function clearErrors() {
        summary.textContent = '';
        FIELDS.forEach(function (name) {
            var box = form.querySelector('[id$="-' + name + '-error"]');
            if (box) { box.textContent = ''; }
            form.querySelectorAll('[name=' + name + ']').forEach(function (input) {
                input.removeAttribute('aria-invalid');
            });
        });
    }

    function showErrors(body) {
        var first = null;
        summary.textContent = body.errors ? messages.invalid : (body.error || messages.network_error);
        Object.keys(body.errors || {}).forEach(function (name) {
            var box = form.querySelector('[id$="-' + name + '-error"]');
            if (box) { box.textContent = body.errors[name].join(' '); }
            form.querySelectorAll('[name=' + name + ']').forEach(function (input) {
                input.setAttribute('aria-invalid', 'true');
                first = first || input;
            });
        });
        if (first) { first.focus(); }
        notify('error', {title: messages.title, message: summary.textContent});
    }

    form.addEventListener('submit', function (event) {
        event.preventDefault();
        clearErrors();
        status.textContent = messages.saving || '';
        notify('save', {state: 'start', message: messages.saving});
        fetch(handlerUrl, {
            method: 'POST',
            credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(),
                      'X-Requested-With': 'XMLHttpRequest'},
            body: JSON.stringify(values())
        }).then(function (response) {
            return response.json().catch(function () { return {}; }).then(function (body) {
                if (response.ok && body.result === 'success') {
                    status.textContent = messages.saved;
                    notify('save', {state: 'end'});
                } else {
                    status.textContent = '';
                    showErrors(body);
                }
            });
        }).catch(function () {
            status.textContent = '';
            showErrors({});
        });
    });

    form.querySelector('.cancel-button').addEventListener('click', function (event) {
        event.preventDefault();
        notify('cancel', {});
    });
    return {};
}
