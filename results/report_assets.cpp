#include "results/report_assets.hpp"

#include <array>
#include <utility>

namespace pade::results {

namespace {

// The page's CSS and JS as raw strings (a build step embedding .css/.js files would add a
// generator for two small texts).
constexpr std::string_view kStyle = R"css(
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1280px; padding: 0 1.5rem 3rem; color: #222; }
h1 { font-size: 1.6rem; margin-top: 1.5rem; } h2 { border-bottom: 2px solid #0072B2; padding-bottom: .2rem; margin-top: 2.2rem; }
nav a { margin-right: 1rem; color: #0072B2; display: inline-block; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; }
th { background: #eef4f9; position: sticky; top: 0; }
table.data th { cursor: pointer; user-select: none; }
th[aria-sort=ascending]::after { content: " \25B2"; } th[aria-sort=descending]::after { content: " \25BC"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } td.null { color: #999; text-align: center; }
tr[data-hash] { cursor: pointer; } tr.selected td { background: #FFE2CC; }
.scroll { max-height: 32rem; overflow: auto; max-width: 100%; }
.tools { margin: .5rem 0 0; font-size: .85rem; } .tools input { font-size: .85rem; padding: .15rem .3rem; }
figure { margin: 1.5rem 0; } svg.figure { display: block; max-width: 100%; height: auto; border: 1px solid #ddd; }
svg g.pt { cursor: pointer; } svg g.pt:hover use { opacity: .35; }
svg g.pt.selected use { opacity: 1; color: #D55E00; }
svg text.selected { fill: #D55E00; font-weight: bold; }
figcaption { font-size: .9rem; color: #444; } figcaption a { margin-left: .5rem; }
pre { background: #f6f8fa; padding: .8rem; overflow: auto; font-size: .85rem; }
.note { color: #555; font-style: italic; } .warning { background: #D55E00; color: #fff; padding: .5rem; }
code { background: #f6f8fa; padding: 0 .2rem; overflow-wrap: anywhere; }
.why { border-left: 3px solid #0072B2; padding: .1rem .8rem; margin: .8rem 0; }
.why.selected { border-left-color: #D55E00; background: #FFF4EC; }
.why ul { margin: .3rem 0; padding-left: 1.2rem; }
#tooltip { position: fixed; z-index: 10; background: #fff; border: 1px solid #444; padding: .3rem .5rem; font: .8rem/1.3 monospace; white-space: pre; pointer-events: none; box-shadow: 2px 2px 4px rgba(0,0,0,.2); }
#selection { font-size: .9rem; }
)css";

constexpr std::string_view kScript = R"js(
(function () {
  'use strict';
  var designs = {};
  var selected = null;
  var tip = document.getElementById('tooltip');
  JSON.parse(document.getElementById('designs').textContent).forEach(function (d) {
    designs[d.hash] = d;
  });
  function each(list, f) { Array.prototype.forEach.call(list, f); }
  function fmt(v) { return typeof v === 'number' ? String(Number(v.toPrecision(4))) : String(v); }

  // --- tables: click a header to sort, type in the box to filter ---
  function sortKey(td) {
    if (!td || td.classList.contains('null')) return null;
    if (td.classList.contains('num')) return parseFloat(td.title || td.textContent);
    return td.textContent.toLowerCase();
  }
  function sortTable(table, col) {
    var th = table.tHead.rows[0].cells[col];
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    each(table.tHead.rows[0].cells, function (c) { c.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = sortKey(a.cells[col]), y = sortKey(b.cells[col]);
      if (x === null || y === null) return (x === null) - (y === null);  // empty cells last
      var c = x < y ? -1 : (x > y ? 1 : 0);
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  function filterTable(table, text) {
    var shown = 0, rows = table.tBodies[0].rows;
    text = text.toLowerCase();
    each(rows, function (r) {
      r.hidden = text !== '' && r.textContent.toLowerCase().indexOf(text) < 0;
      if (!r.hidden) shown += 1;
    });
    var count = document.querySelector('.count[data-table="' + table.id + '"]');
    if (count) count.textContent = shown + ' of ' + rows.length + ' rows';
    return shown;
  }
  each(document.querySelectorAll('table.data'), function (table) {
    each(table.tHead.rows[0].cells, function (th, i) {
      th.title = 'sort by ' + th.textContent;
      th.addEventListener('click', function () { sortTable(table, i); });
    });
  });
  each(document.querySelectorAll('input.filter'), function (input) {
    var table = document.getElementById(input.getAttribute('data-table'));
    input.addEventListener('input', function () { filterTable(table, input.value); });
  });

  // --- designs: tooltips and selection in every figure and table ---
  // Axis labels naming a design by its short hash (the breakdown figures) select it too.
  var byShort = {};
  Object.keys(designs).forEach(function (h) { byShort[h.slice(0, 8)] = h; });
  each(document.querySelectorAll('svg.figure text'), function (t) {
    var h = byShort[t.textContent.trim()];
    if (h) t.setAttribute('data-hash', h);
  });
  function describe(hash) {
    var d = designs[hash];
    if (!d) return hash;
    var lines = ['design ' + hash, 'fidelity ' + d.fidelity + (d.front ? ', on the Pareto front' : '')];
    Object.keys(d.params).forEach(function (k) { lines.push(k + ' = ' + d.params[k]); });
    Object.keys(d.objectives).forEach(function (k) { lines.push(k + ' = ' + fmt(d.objectives[k])); });
    return lines.join('\n');
  }
  function showTip(el, evt) {
    tip.textContent = describe(el.getAttribute('data-hash'));
    tip.hidden = false;
    var x = Math.min(evt.clientX + 14, window.innerWidth - tip.offsetWidth - 4);
    var y = Math.min(evt.clientY + 14, window.innerHeight - tip.offsetHeight - 4);
    tip.style.left = Math.max(0, x) + 'px';
    tip.style.top = Math.max(0, y) + 'px';
  }
  function hideTip() { tip.hidden = true; }
  function select(hash) {
    selected = selected === hash ? null : hash;
    each(document.querySelectorAll('[data-hash]'), function (el) {
      el.classList.toggle('selected', el.getAttribute('data-hash') === selected);
    });
    document.getElementById('selection').textContent = selected
      ? 'Selected design ' + selected + ' (click it again to clear).' : '';
  }
  each(document.querySelectorAll('svg.figure [data-hash]'), function (el) {
    el.addEventListener('mousemove', function (evt) { showTip(el, evt); });
    el.addEventListener('mouseout', hideTip);
    el.addEventListener('click', function () { select(el.getAttribute('data-hash')); });
  });
  each(document.querySelectorAll('tr[data-hash]'), function (tr) {
    tr.addEventListener('click', function () { select(tr.getAttribute('data-hash')); });
  });

  // --- the page's own check: every inline figure drew something ---
  var figures = document.querySelectorAll('svg.figure');
  var shown = 0;
  each(figures, function (svg) {
    var box = svg.getBoundingClientRect(), canvas = svg.querySelector('g');
    if (box.width > 0 && canvas && canvas.getBoundingClientRect().width > 0) shown += 1;
    else svg.parentNode.className += ' missing';
  });
  document.body.setAttribute('data-figures', shown + '/' + figures.length);
  if (shown < figures.length) {
    var w = document.getElementById('figure-warning');
    w.hidden = false;
    w.textContent = (figures.length - shown) + ' figure(s) could not be shown; re-run pade report.';
  }

  // --- index.html#selftest: use the page as a person would and write what happened ---
  function selftest() {
    var lines = [], failed = 0;
    var passed = 0, skipped = 0;
    function check(name, ok, detail) {
      if (ok) passed += 1; else failed += 1;
      lines.push((ok ? 'PASS ' : 'FAIL ') + name + (ok ? '' : ': ' + detail));
    }
    // What cannot be tried on this campaign's page (no front, one design) is said, not failed.
    function skip(name, why) { skipped += 1; lines.push('SKIP ' + name + ': ' + why); }
    var table = document.getElementById('table-front');
    var frontRows = table ? table.tBodies[0].rows.length : 0;
    var heads = table ? Array.prototype.map.call(table.tHead.rows[0].cells, function (c) { return c.textContent; }) : [];
    var col = heads.indexOf('latency_s'), hashCol = heads.indexOf('config_hash');
    function column(c) {
      var v = [];
      each(table.tBodies[0].rows, function (r) { if (!r.hidden) v.push(sortKey(r.cells[c])); });
      return v;
    }
    function ordered(v, sign) {
      for (var i = 1; i < v.length; i++) if (sign > 0 ? v[i] < v[i - 1] : v[i] > v[i - 1]) return false;
      return true;
    }
    if (frontRows < 2) { skip('sort', 'the front table has ' + frontRows + ' row(s)'); }
    else if (col < 0 || hashCol < 0) { check('sort', false, 'no latency_s or config_hash column in the front table'); } else {
      // The table starts in latency order: sorting by hash first makes the latency sort move rows.
      var cells = table.tHead.rows[0].cells;
      cells[hashCol].click();
      var byHash = column(hashCol);
      check('sort config_hash ascending (' + byHash.length + ' rows)', byHash.length > 1 && ordered(byHash, 1) && cells[hashCol].getAttribute('aria-sort') === 'ascending', byHash.join(' '));
      cells[col].click();
      var up = column(col);
      cells[col].click();
      var down = column(col);
      check('sort latency_s ascending', ordered(up, 1), up.join(' '));
      check('sort latency_s descending', ordered(down, -1) && cells[col].getAttribute('aria-sort') === 'descending', down.join(' '));
    }
    var rows = table ? table.tBodies[0].rows : [];
    var input = document.querySelector('input.filter[data-table="table-front"]');
    var target = rows.length ? rows[rows.length - 1].getAttribute('data-hash') : '';
    function typeFilter(text) { input.value = text; input.dispatchEvent(new Event('input')); }
    function visible() { return Array.prototype.filter.call(rows, function (r) { return !r.hidden; }); }
    if (!frontRows) { skip('filter, hover and select', 'the campaign has no Pareto front'); }
    else if (!input || !target) { check('filter', false, 'no filter box or no front rows'); } else {
      typeFilter(target.slice(0, 12));
      var v = visible();
      check('filter by hash prefix ' + target.slice(0, 12) + ' leaves its one row', v.length === 1 && v[0].getAttribute('data-hash') === target, v.length + ' rows');
      typeFilter('no-such-design');
      check('filter without a match leaves no row', visible().length === 0, visible().length + ' rows');
      typeFilter('');
      check('empty filter shows all ' + rows.length + ' rows', visible().length === rows.length, visible().length + ' rows');
    }
    var point = document.querySelector('#fig-pareto g.pt[data-hash="' + target + '"]');
    if (!frontRows) { /* skipped above */ }
    else if (!point) { check('hover', false, 'no point of design ' + target + ' in the Pareto figure'); } else {
      var box = point.getBoundingClientRect();
      point.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 }));
      var text = tip.hidden ? '' : tip.textContent;
      var d = designs[target], key = Object.keys(d.params)[0];
      check('hover shows the tooltip of ' + target.slice(0, 8), text.indexOf('design ' + target) === 0 && text.indexOf('latency_s = ') > 0 && (!key || text.indexOf(key + ' = ' + d.params[key]) > 0), JSON.stringify(text));
      point.dispatchEvent(new MouseEvent('mouseout', { bubbles: true }));
      check('leaving the point hides the tooltip', tip.hidden, 'still shown');
      point.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      var marked = document.querySelectorAll('.selected[data-hash="' + target + '"]');
      var others = document.querySelectorAll('.selected:not([data-hash="' + target + '"])');
      var row = table.querySelector('tr[data-hash="' + target + '"]');
      check('click selects the design in the figure and the tables (' + marked.length + ' elements)', point.classList.contains('selected') && row.classList.contains('selected') && others.length === 0, marked.length + ' marked, ' + others.length + ' others');
      row.click();
      check('clicking the row again clears the selection', document.querySelectorAll('.selected').length === 0, 'still selected');
    }
    check('every figure shown (' + shown + '/' + figures.length + ')', shown === figures.length && shown > 0, shown + '/' + figures.length);
    var width = document.documentElement.scrollWidth;
    check('no horizontal overflow at ' + window.innerWidth + ' px', width <= window.innerWidth, 'document ' + width + ' px wide');
    lines.push('selftest: ' + passed + ' passed, ' + failed + ' failed' + (skipped ? ', ' + skipped + ' skipped' : ''));
    var pre = document.getElementById('selftest');
    pre.hidden = false;
    pre.textContent = lines.join('\n');
    document.body.setAttribute('data-selftest', failed ? 'fail' : 'pass');
  }
  if (window.location.hash === '#selftest') selftest();
})();
)js";

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t p = text.find(from); p != std::string::npos; p = text.find(from, p + to.size()))
    text.replace(p, from.size(), to);
}

std::string attribute_escape(std::string_view text) {
  std::string out;
  for (const char c : text)
    out += c == '"' ? "&quot;" : c == '<' ? "&lt;" : c == '&' ? "&amp;" : std::string(1, c);
  return out;
}

/// gnuplot's hypertext groups → <g class="pt" data-hash="…"> (its own handlers need its script).
void hypertext_to_points(std::string& svg) {
  static constexpr std::string_view kOpen = "<g onmousemove=\"gnuplot_svg.showHypertext(evt,'";
  static constexpr std::string_view kClose =
      "')\" onmouseout=\"gnuplot_svg.hideHypertext()\"><title> </title>";
  for (std::size_t p = svg.find(kOpen); p != std::string::npos; p = svg.find(kOpen, p + 1)) {
    const std::size_t text_at = p + kOpen.size(), close = svg.find(kClose, text_at);
    if (close == std::string::npos) break;
    const std::string hash = svg.substr(text_at, close - text_at);
    svg.replace(p, close + kClose.size() - p,
                "<g class=\"pt\" data-hash=\"" + attribute_escape(hash) + "\">");
  }
}

}  // namespace

std::string_view report_style() {
  return kStyle;
}

std::string_view report_script() {
  return kScript;
}

std::string inline_svg(std::string_view svg, std::string_view id_prefix) {
  const std::size_t root = svg.find("<svg");
  std::string out(root == std::string_view::npos ? std::string_view() : svg.substr(root));
  for (const std::string_view drop : {std::string_view("<title>Gnuplot</title>")})
    replace_all(out, drop, "");
  if (const auto d = out.find("<desc>"), e = out.find("</desc>"); d != std::string::npos && e > d)
    out.erase(d, e + 7 - d);
  hypertext_to_points(out);
  const std::string p(id_prefix);
  for (const auto& [from, to] :
       std::to_array<std::pair<std::string, std::string>>({{"id='", "id='" + p},
                                                           {"id=\"", "id=\"" + p},
                                                           {"href='#", "href='#" + p},
                                                           {"href=\"#", "href=\"#" + p},
                                                           {"url(#", "url(#" + p}}))
    replace_all(out, from, to);
  if (out.rfind("<svg", 0) == 0) out.replace(0, 4, "<svg class=\"figure\" role=\"img\"");
  return out;
}

}  // namespace pade::results
