// SynDB Graph query editor: runs the query with fetch and renders the result (no dependencies).
(function () {
  'use strict';
  var form = document.getElementById('sparql-form');
  var query = document.getElementById('query');
  var format = document.getElementById('format');
  var token = document.getElementById('token');
  var status = document.getElementById('status');
  var results = document.getElementById('results');
  var examples = JSON.parse(document.getElementById('examples').textContent);
  var media = { srj: 'application/sparql-results+json', csv: 'text/csv', tsv: 'text/tab-separated-values', srx: 'application/sparql-results+xml', ttl: 'text/turtle', jsonld: 'application/ld+json' };
  document.getElementById('example').addEventListener('change', function (e) { query.value = examples[Number(e.target.value)].query; });
  query.addEventListener('keydown', function (e) { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); } });
  function text(tag, s) { var el = document.createElement(tag); el.textContent = s; return el; }
  function term(t) {
    if (!t) return '';
    if (t.type === 'uri') return '<' + t.value + '>';
    if (t.type === 'bnode') return '_:' + t.value;
    return JSON.stringify(t.value) + (t['xml:lang'] ? '@' + t['xml:lang'] : t.datatype && !/#string$/.test(t.datatype) ? '^^<' + t.datatype + '>' : '');
  }
  function table(json) {
    var tbl = document.createElement('table');
    var head = document.createElement('tr');
    json.head.vars.forEach(function (v) { head.appendChild(text('th', '?' + v)); });
    tbl.appendChild(head);
    json.results.bindings.forEach(function (b) {
      var tr = document.createElement('tr');
      json.head.vars.forEach(function (v) {
        var td = document.createElement('td');
        var t = b[v];
        if (t && t.type === 'uri') { var a = text('a', t.value); a.href = t.value; td.appendChild(a); } else td.textContent = term(t);
        tr.appendChild(td);
      });
      tbl.appendChild(tr);
    });
    return tbl;
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var headers = { 'Content-Type': 'application/sparql-query', Accept: media[format.value] };
    if (token.value) headers.Authorization = 'Bearer ' + token.value;
    status.textContent = 'Running…';
    results.textContent = '';
    var t0 = performance.now();
    fetch('/sparql', { method: 'POST', headers: headers, body: query.value }).then(function (res) {
      return res.text().then(function (body) {
        var ms = Math.round(performance.now() - t0);
        if (!res.ok) {
          var p; try { p = JSON.parse(body); } catch (x) { p = { title: res.statusText, detail: body }; }
          status.textContent = res.status + ' ' + p.title + ': ' + p.detail + (p.line ? ' (line ' + p.line + ', column ' + p.column + ')' : '');
          return;
        }
        var type = res.headers.get('content-type') || '';
        if (type.indexOf('application/sparql-results+json') === 0) {
          var json = JSON.parse(body);
          if (typeof json.boolean === 'boolean') { status.textContent = 'ASK: ' + json.boolean + ' (' + ms + ' ms)'; return; }
          status.textContent = json.results.bindings.length + ' rows (' + ms + ' ms)';
          results.appendChild(table(json));
        } else {
          status.textContent = type + ' (' + ms + ' ms)';
          results.appendChild(text('pre', body));
        }
      });
    }, function (err) { status.textContent = 'Request failed: ' + err.message; });
  });
})();
