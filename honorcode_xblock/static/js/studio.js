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
    var FIELDS = ['display_name', 'course_terms', 'collaboration', 'acceptance_mode', 'gate_graded_content',
                  'staff_exempt', 'reaccept_after_material_change'];

    function notify(name, data) {
        if (runtime.notify) { runtime.notify(name, data); }
    }

    function inputs(name) {
        return Array.prototype.slice.call(form.querySelectorAll('[name=' + name + ']'));
    }

    function errorBox(name) {
        return form.querySelector('[id$="-' + name + '-error"]');
    }

    function values() {
        var mode = form.querySelector('input[name=acceptance_mode]:checked');
        return {
            display_name: inputs('display_name')[0].value,
            course_terms: inputs('course_terms')[0].value,
            collaboration: inputs('collaboration')[0].value,
            acceptance_mode: mode ? mode.value : '',
            gate_graded_content: inputs('gate_graded_content')[0].checked,
            staff_exempt: inputs('staff_exempt')[0].checked,
            reaccept_after_material_change: inputs('reaccept_after_material_change')[0].checked
        };
    }

    function clearErrors() {
        summary.textContent = '';
        FIELDS.forEach(function (name) {
            errorBox(name).textContent = '';
            inputs(name).forEach(function (input) { input.removeAttribute('aria-invalid'); });
        });
    }

    function showErrors(body) {
        // One announcement: the summary is an alert; each message sits next to its field, linked to it.
        var first = null;
        summary.textContent = body.errors ? messages.invalid : (body.error || messages.network_error);
        Object.keys(body.errors || {}).forEach(function (name) {
            var box = errorBox(name);
            if (box) { box.textContent = body.errors[name].join(' '); }
            inputs(name).forEach(function (input) {
                input.setAttribute('aria-invalid', 'true');
                first = first || input;
            });
        });
        if (first) { first.focus(); }
    }

    form.addEventListener('submit', function (event) {
        event.preventDefault();
        clearErrors();
        status.textContent = messages.saving || '';
        notify('save', {state: 'start', message: messages.saving});
        window.HonorCodeCommon.postJSON(handlerUrl, values()).then(function (result) {
            if (result.ok && result.body.result === 'success') {
                status.textContent = messages.saved;
                notify('save', {state: 'end'});
            } else {
                status.textContent = '';
                showErrors(result.body);
            }
        }, function () {
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
