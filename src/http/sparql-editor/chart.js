// A YASR plugin of SynDB Graph: a SELECT result with a numeric column as a bar chart, drawn as
// inline SVG (no chart library, nothing from the internet). Bars: the first numeric variable;
// labels: the first other variable (IRIs shortened with the editor's prefixes). Registered by
// editor.js as YASR plugin "chart".
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var XSD = 'http://www.w3.org/2001/XMLSchema#';
  var NUMERIC = ['integer', 'decimal', 'double', 'float', 'int', 'long', 'short', 'byte', 'nonNegativeInteger', 'positiveInteger', 'negativeInteger', 'nonPositiveInteger', 'unsignedLong', 'unsignedInt', 'unsignedShort', 'unsignedByte'];
  var MAX_BARS = 40;

  function isNumber(t) {
    return !!t && (t.type === 'literal' || t.type === 'typed-literal') && !!t.datatype &&
      t.datatype.indexOf(XSD) === 0 && NUMERIC.indexOf(t.datatype.slice(XSD.length)) >= 0 && isFinite(Number(t.value));
  }
  function el(name, attrs, text) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function Chart(yasr) {
    this.yasr = yasr;
    this.label = 'Chart';
    this.priority = 5;
    this.hideFromSelection = false;
  }
  /** [value variable, label variable or undefined], or undefined when no column is numeric. */
  Chart.prototype.columns = function () {
    var r = this.yasr.results;
    if (!r || r.hasError() || r.getType() !== 'json' || typeof r.getBoolean() === 'boolean') return undefined;
    var vars = r.getVariables(), rows = r.getBindings();
    if (!rows.length) return undefined;
    var value = vars.filter(function (v) {
      var any = false;
      for (var i = 0; i < rows.length; i++) { if (!rows[i][v]) continue; if (!isNumber(rows[i][v])) return false; any = true; }
      return any;
    })[0];
    if (!value) return undefined;
    return [value, vars.filter(function (v) { return v !== value; })[0]];
  };
  Chart.prototype.canHandleResults = function () { return !!this.columns(); };
  Chart.prototype.shorten = function (t) {
    if (!t) return '';
    if (t.type !== 'uri') return t.value;
    var p = this.yasr.getPrefixes() || {}, best = '';
    for (var k in p) if (t.value.indexOf(p[k]) === 0 && p[k].length > (p[best] || '').length) best = k;
    return best ? best + ':' + t.value.slice(p[best].length) : t.value;
  };
  Chart.prototype.draw = function () {
    var cols = this.columns();
    if (!cols) return;
    var self = this, value = cols[0], label = cols[1];
    var rows = this.yasr.results.getBindings().filter(function (b) { return b[value]; });
    var shown = rows.slice(0, MAX_BARS);
    var data = shown.map(function (b, i) { return { label: label ? self.shorten(b[label]) : String(i + 1), value: Number(b[value].value) }; });
    var max = Math.max.apply(null, data.map(function (d) { return d.value; }).concat([0]));
    var min = Math.min.apply(null, data.map(function (d) { return d.value; }).concat([0]));
    var longest = Math.max.apply(null, data.map(function (d) { return d.label.length; }).concat([4]));
    var left = Math.min(360, 16 + longest * 7), right = 90, bar = 22, gap = 6, top = 8, width = 900;
    var plot = width - left - right, zero = left + (min < 0 ? plot * (-min / (max - min || 1)) : 0);
    var scale = plot / ((max - min) || 1);
    var height = top * 2 + data.length * (bar + gap);

    var fig = document.createElement('figure');
    fig.className = 'syndb-chart';
    var caption = document.createElement('figcaption');
    caption.textContent = '?' + value + (label ? ' by ?' + label : ' by row') +
      (rows.length > shown.length ? ' (the first ' + shown.length + ' of ' + rows.length + ' results)' : '');
    var id = 'syndb-chart-' + Math.random().toString(36).slice(2);
    caption.id = id;
    var svg = el('svg', { viewBox: '0 0 ' + width + ' ' + height, width: '100%', role: 'img', 'aria-labelledby': id, 'data-bars': data.length });
    svg.style.maxWidth = width + 'px';
    data.forEach(function (d, i) {
      var y = top + i * (bar + gap);
      var w = Math.abs(d.value) * scale;
      var g = el('g', { 'class': 'bar' });
      g.appendChild(el('title', {}, d.label + ': ' + d.value));
      g.appendChild(el('text', { x: left - 8, y: y + bar * 0.7, 'text-anchor': 'end', 'font-size': 13, fill: '#1a1a1a' }, d.label.length > 50 ? d.label.slice(0, 49) + '…' : d.label));
      g.appendChild(el('rect', { x: d.value < 0 ? zero - w : zero, y: y, width: Math.max(w, 1), height: bar, fill: '#0b57d0' }));
      g.appendChild(el('text', { x: (d.value < 0 ? zero : zero + w) + 6, y: y + bar * 0.7, 'font-size': 13, fill: '#1a1a1a' }, String(d.value)));
      svg.appendChild(g);
    });
    svg.appendChild(el('line', { x1: zero, x2: zero, y1: 0, y2: height, stroke: '#4a4a4a' }));
    fig.appendChild(svg);
    fig.appendChild(caption);
    this.yasr.resultsEl.appendChild(fig);
  };
  Chart.prototype.getIcon = function () {
    var div = document.createElement('div');
    var svg = el('svg', { viewBox: '0 0 16 16', width: 15, height: 15, 'aria-hidden': 'true' });
    [[1, 9, 3, 6], [6, 4, 3, 11], [11, 7, 3, 8]].forEach(function (r) { svg.appendChild(el('rect', { x: r[0], y: r[1], width: r[2], height: r[3], fill: 'currentColor' })); });
    div.appendChild(svg);
    return div;
  };
  window.SyndbChart = Chart;
})();
