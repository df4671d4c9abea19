// SynDB Graph: small progressive enhancements. Every page works without this script.
(function () {
  'use strict';
  // Facet checkboxes and the sort menu apply at once.
  document.querySelectorAll('form[data-autosubmit]').forEach(function (form) {
    form.addEventListener('change', function (ev) {
      var t = ev.target;
      if (t && (t.type === 'checkbox' || t.tagName === 'SELECT')) {
        var p = form.querySelector('input[name=page]');
        if (p) p.value = '1';
        form.submit();
      }
    });
    var apply = form.querySelector('[data-apply]');
    if (apply) apply.hidden = true;
  });
  // Citation boxes: choose a format, copy it.
  document.querySelectorAll('[data-citation-box]').forEach(function (box) {
    var select = box.querySelector('select');
    var blocks = box.querySelectorAll('pre[data-format]');
    var status = box.querySelector('.status');
    var current = function () { return box.querySelector('pre[data-format]:not([hidden])'); };
    var copy = box.querySelector('button[data-copy]');
    if (select) {
      select.hidden = false;
      var lbl = box.querySelector('label[for="' + select.id + '"]');
      if (lbl) lbl.hidden = false;
      select.addEventListener('change', function () {
        blocks.forEach(function (b) { b.hidden = b.getAttribute('data-format') !== select.value; });
        if (status) status.textContent = '';
      });
    }
    if (copy) {
      copy.hidden = false;
      copy.addEventListener('click', function () {
        var text = current() ? current().textContent : '';
        var done = function () { if (status) status.textContent = 'Copied to the clipboard.'; box.setAttribute('data-copied', text); };
        var fallback = function () {
          var ta = document.createElement('textarea');
          ta.value = text; ta.setAttribute('readonly', ''); ta.style.position = 'absolute'; ta.style.left = '-9999px';
          document.body.appendChild(ta); ta.select();
          try { document.execCommand('copy'); done(); } catch (e) { if (status) status.textContent = 'Select the text and copy it.'; }
          document.body.removeChild(ta);
        };
        if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, fallback);
        else fallback();
      });
    }
  });
  // The upload form remembers the token for this browser tab only.
  var token = document.querySelector('input[name=token][data-remember]');
  if (token && window.sessionStorage) {
    if (!token.value) token.value = sessionStorage.getItem('syndb-token') || '';
    token.form.addEventListener('submit', function () { sessionStorage.setItem('syndb-token', token.value); });
  }
})();
