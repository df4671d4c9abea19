// SynDB Graph query editor: YASGUI (served by us from @zazuko/yasgui) set up with our endpoint,
// prefixes and example queries (the configuration is the page's #sparql-config, built by page.ts).
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('sparql-config').textContent);
  var status = document.getElementById('editor-status');
  var Yasgui = window.Yasgui;
  if (!Yasgui) {
    status.textContent = 'The query editor could not be loaded. Turn JavaScript off to use the plain query form, or POST queries to /sparql.';
    return;
  }
  var endpoint = new URL(cfg.endpoint, location.href).href;
  var token = document.getElementById('token');

  // Arrays are not merged with YASGUI's defaults but replaced here: only completers that stay on
  // this server (the "properties" and "classes" completers would ask lov.linkeddata.es).
  Yasgui.Yasqe.defaults.autocompleters = ['prefixes', 'variables'];
  if (window.SyndbChart) Yasgui.Yasr.registerPlugin('chart', window.SyndbChart);
  Yasgui.Yasr.defaults.pluginOrder = ['table', 'chart', 'response'];
  Yasgui.Yasr.defaults.prefixes = cfg.prefixes;

  var yasgui = new Yasgui(document.getElementById('yasgui'), {
    persistenceId: 'syndb-sparql',
    autoAddOnInit: false,
    copyEndpointOnNewTab: false,
    tabName: 'Query',
    requestConfig: {
      endpoint: endpoint,
      method: 'POST',
      acceptHeaderSelect: 'application/sparql-results+json',
      acceptHeaderGraph: 'text/turtle',
      headers: function () { return token.value ? { Authorization: 'Bearer ' + token.value } : {}; },
    },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    yasqe: { value: cfg.newTabQuery, prefixCcApi: new URL(cfg.prefixesUrl, location.href).href },
    yasr: { prefixes: cfg.prefixes, defaultPlugin: 'table' },
  });

  function openExample(i, active) {
    var e = cfg.examples[i];
    return yasgui.addTab(active, { name: e.name, yasqe: { value: e.query }, requestConfig: { endpoint: endpoint } });
  }
  // a first visit (nothing kept in this browser): one tab per example query, the first one active
  if (Object.keys(yasgui._tabs).length === 0) {
    cfg.examples.forEach(function (_e, i) { openExample(i, i === 0); });
  }

  var controls = document.getElementById('editor-controls');
  controls.hidden = false;
  controls.addEventListener('submit', function (e) { e.preventDefault(); });
  document.getElementById('open-example').addEventListener('click', function () {
    var i = Number(document.getElementById('example').value);
    openExample(i, true);
    status.textContent = 'Opened "' + cfg.examples[i].name + '" in a new tab.';
  });
  yasgui.on('query', function () { status.textContent = 'Running the query…'; });
  // YASGUI emits queryResponse before it hands the response to YASR: read the result after that
  yasgui.on('queryResponse', function (_y, tab) { Promise.resolve().then(function () { summarise(tab); }); });
  function summarise(tab) {
    var yasr = tab.getYasr();
    var r = yasr && yasr.results;
    if (!r) return;
    if (r.hasError()) {
      // YASGUI passes on the body of an error answer as text: our problem+json (RFC 9457)
      var e = r.getError() || {}, p = null;
      try { p = JSON.parse(e.text); } catch (x) { p = null; }
      status.textContent = p && p.title ? 'The query failed: ' + (p.status ? p.status + ' ' : '') + p.title + (p.detail ? ': ' + p.detail : '') + (p.line ? ' (line ' + p.line + ', column ' + p.column + ')' : '')
        : 'The query failed' + (e.status ? ' (' + e.status + ')' : '') + (e.text ? ': ' + e.text : '.');
      return;
    }
    var b = r.getBoolean();
    status.textContent = typeof b === 'boolean' ? 'ASK: ' + b : r.getType() === 'json' ? (r.getBindings().length === 1 ? '1 result' : r.getBindings().length + ' results') + ' in ' + r.getResponseTime() + ' ms.' : 'Answered in ' + r.getResponseTime() + ' ms.';
  }
  // Accessibility repairs of YASGUI's markup (axe-core finds these in 4.6.2), re-applied whenever
  // YASGUI redraws: the add-tab button is moved out of the tablist (only tabs belong there),
  // aria-controls names only panels that exist (YASGUI draws the active tab's panel only), and
  // the fields without a label get one.
  var root = yasgui.rootEl;
  var list = yasgui.tabElements._tabsListEl;
  var add = yasgui.tabElements.addTabEl;
  if (list && add && add.parentNode === list) {
    var bar = document.createElement('div');
    bar.className = 'tabsBar';
    list.parentNode.insertBefore(bar, list);
    bar.appendChild(list);
    bar.appendChild(add);
    yasgui.tabElements.addTabEl = null; // new tabs are appended to the list, not inserted before the button
  }
  var labels = [
    ['input.autocomplete', 'SPARQL endpoint'],
    ['.CodeMirror textarea', 'SPARQL query'],
    ['select.tableSizer', 'Page size'],
    ['input.tableFilter', 'Filter query results'],
    ['.tab input[type=text]', 'Tab name'],
  ];
  function set(el, name, value) { if (el.getAttribute(name) !== value) el.setAttribute(name, value); }
  function repair() {
    labels.forEach(function (l) { root.querySelectorAll(l[0]).forEach(function (el) { if (!el.getAttribute('aria-label')) set(el, 'aria-label', l[1]); }); });
    root.querySelectorAll('[role=tab]').forEach(function (tab) {
      var panel = tab.getAttribute('data-panel') || tab.getAttribute('aria-controls');
      if (!panel) return;
      set(tab, 'data-panel', panel);
      if (document.getElementById(panel)) set(tab, 'aria-controls', panel); else if (tab.hasAttribute('aria-controls')) tab.removeAttribute('aria-controls');
    });
    root.querySelectorAll('table.dataTable thead th').forEach(function (th) {
      if (!th.textContent.trim() && !th.querySelector('.visually-hidden')) { var s = document.createElement('span'); s.className = 'visually-hidden'; s.textContent = 'Row'; th.appendChild(s); }
    });
  }
  var pending = false;
  new MutationObserver(function () {
    if (pending) return;
    pending = true;
    Promise.resolve().then(function () { pending = false; repair(); });
  }).observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-controls', 'aria-label', 'class'] });
  repair();
  window.syndbYasgui = yasgui;
})();
