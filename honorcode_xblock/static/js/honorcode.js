/* The Honor Code block, learner side: send the acceptance and announce the result.
 * Every string shown to the learner comes translated from the server (initArgs.messages or the response). */
function HonorCodeXBlock(runtime, element, initArgs) {
    'use strict';
    var host = element.jquery ? element[0] : element;
    var root = host.querySelector('.honorcode-block');
    var form = root && root.querySelector('.hc-accept-form');
    if (!form) { return {}; }
    var status = root.querySelector('.hc-status');
    var errorBox = root.querySelector('.hc-error');
    var messages = (initArgs && initArgs.messages) || {};
    var handlerUrl = runtime.handlerUrl(host, 'accept');
    var field = form.querySelector('input[name=signature]') || form.querySelector('input[name=confirmed]');
    var button = form.querySelector('button[type=submit]');

    function version(name) {
        var value = parseInt(root.getAttribute(name), 10);
        return isNaN(value) ? null : value;
    }

    function showError(message) {
        status.textContent = '';
        errorBox.textContent = message;
        field.setAttribute('aria-invalid', 'true');
        field.focus();
    }

    function showAccepted(message) {
        // The confirmation takes the focus (the form it replaces disappears), which announces it once.
        root.querySelector('.hc-accept').hidden = true;
        var confirmation = root.querySelector('.hc-confirmation');
        confirmation.querySelector('.hc-confirmation-detail').textContent = message;
        confirmation.hidden = false;
        root.setAttribute('data-accepted', 'true');
        status.textContent = '';
        errorBox.textContent = '';
        confirmation.focus();
    }

    field.addEventListener('input', function () { field.removeAttribute('aria-invalid'); });
    field.addEventListener('change', function () { field.removeAttribute('aria-invalid'); });

    form.addEventListener('submit', function (event) {
        event.preventDefault();
        if (button.getAttribute('aria-disabled') === 'true' || button.disabled) { return; }
        var payload = {policy_version: version('data-policy-version'), terms_version: version('data-terms-version')};
        if (field.name === 'signature') { payload.signature = field.value; } else { payload.confirmed = field.checked; }
        button.disabled = true;
        errorBox.textContent = '';
        field.removeAttribute('aria-invalid');
        status.textContent = messages.saving || '';
        window.HonorCodeCommon.postJSON(handlerUrl, payload).then(function (result) {
            if (result.ok && result.body.accepted) {
                showAccepted(result.body.message);
            } else {
                showError(result.body.error || messages.network_error);
            }
        }, function () {
            showError(messages.network_error);
        }).then(function () {
            button.disabled = false;
        });
    });
    return {};
}
