// speechdex web page: plain JavaScript, no libraries, no network access but this server's API.
// State lives in the URL hash (#/search?q=…, #/doc/ID?q=…, #/trend?terms=…, #/kwic?term=…,
// #/compare?a=…&b=…, #/diff?a=ID&b=ID or ?qa=…&qb=…, #/verify?q=…) so that every view can be
// linked and the back button works.
'use strict';
(() => {
  const PAGE = 10;
  const MAX_OFFSET = 10000;
  const CSV_ROWS = 100; // the server's largest page (MAX_LIMIT)
  const COLORS = ['#c0392b', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2',
    '#17becf', '#7f7f7f', '#bcbd22'];
  const METRICS = { rate: '每万字频次', count: '出现次数', docs: '讲话篇数' };
  const BY = { year: '年份', region: '地区', speaker: '讲话人', kind: '类型', speech: '讲话' };
  const FONT = '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif';
  const SVG_NS = 'http://www.w3.org/2000/svg';

  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  /** Creates an element: attributes (`text` sets textContent, `class`, others as is), children. */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c !== undefined && c !== null && c !== false) node.append(c);
    }
    return node;
  }

  function svg(tag, attrs = {}, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const fmt = (n) => Number(n).toLocaleString('zh-CN');
  const fmtRate = (x) => (Math.round(x * 100) / 100).toLocaleString('zh-CN');

  // ---------------------------------------------------------------- routing and the API

  function parseHash() {
    const h = location.hash.replace(/^#\/?/, '');
    const qi = h.indexOf('?');
    const path = qi < 0 ? h : h.slice(0, qi);
    const params = new URLSearchParams(qi < 0 ? '' : h.slice(qi + 1));
    const slash = path.indexOf('/');
    const view = (slash < 0 ? path : path.slice(0, slash)) || 'search';
    let arg = slash < 0 ? '' : path.slice(slash + 1);
    try { arg = decodeURIComponent(arg); } catch (_) { /* keep as is */ }
    return { view, arg, params };
  }

  function hashFor(view, params = {}, arg = '') {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined && v !== null && String(v).trim() !== '') p.set(k, String(v).trim());
    }
    const s = p.toString();
    return '#/' + view + (arg ? '/' + encodeURIComponent(arg) : '') + (s ? '?' + s : '');
  }

  function go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  }

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error) || 'HTTP ' + status);
      this.status = status;
      this.body = body || {};
    }
  }

  async function api(path, params = {}) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined && v !== null && String(v).trim() !== '') p.set(k, String(v).trim());
    }
    const qs = p.toString();
    let res;
    try {
      res = await fetch(path + (qs ? '?' + qs : ''), { headers: { Accept: 'application/json' } });
    } catch (e) {
      throw new ApiError(0, { error: '无法连接服务器（' + e.message + '）' });
    }
    let body = null;
    try { body = await res.json(); } catch (_) { body = null; }
    if (!res.ok) throw new ApiError(res.status, body);
    return body;
  }

  /** Shows an error in a status box; a query error shows the query with the faulty character. */
  function showError(box, err, queryText) {
    box.className = 'status error';
    box.replaceChildren();
    const b = err.body || {};
    let prefix = '出错了';
    if (err.status === 400) prefix = b.position !== undefined ? '检索式有误' : '参数有误';
    else if (err.status === 404) prefix = '未找到';
    else if (err.status === 413 || err.status === 414) prefix = '输入过长';
    else if (err.status === 503) prefix = '服务器繁忙或超时';
    box.append(el('strong', { text: prefix + '：' }), err.message);
    if (b.position !== undefined && typeof queryText === 'string') {
      const chars = Array.from(queryText);
      const at = Math.min(b.position, chars.length);
      box.append(el('span', { class: 'qerr' },
        chars.slice(0, at).join(''),
        el('b', { text: chars[at] !== undefined ? chars[at] : ' ' }),
        chars.slice(at + 1).join(''),
        el('br'), `（第 ${b.position + 1} 个字符）`));
    }
  }

  function setStatus(box, text, busy = false) {
    box.className = 'status' + (busy ? ' busy' : '');
    box.textContent = text;
  }

  /** Merges overlapping [start, end) ranges. */
  function mergeRanges(ranges) {
    const sorted = ranges.map((r) => [r[0], r[1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const out = [];
    for (const r of sorted) {
      if (out.length && r[0] < out[out.length - 1][1]) {
        out[out.length - 1][1] = Math.max(out[out.length - 1][1], r[1]);
      } else out.push(r);
    }
    return out;
  }

  /** Text with <mark>s at character ranges (offsets in Unicode code points, as the API gives). */
  function highlighted(chars, ranges, base = 0) {
    const frag = document.createDocumentFragment();
    let pos = 0;
    for (const [s0, e0] of ranges) {
      const s = Math.max(0, s0 - base);
      const e = Math.min(chars.length, e0 - base);
      if (e <= s || s < pos) continue;
      if (s > pos) frag.append(chars.slice(pos, s).join(''));
      frag.append(el('mark', { text: chars.slice(s, e).join(''), 'data-start': s + base }));
      pos = e;
    }
    if (pos < chars.length) frag.append(chars.slice(pos).join(''));
    return frag;
  }

  function download(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }

  function csvText(rows) {
    const cell = (v) => {
      const s = v === null || v === undefined ? '' : String(v);
      return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    };
    return '\ufeff' + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
  }

  function fillForm(form, params, defaults = {}) {
    for (const input of form.elements) {
      if (!input.name) continue;
      const v = params.get(input.name);
      input.value = v !== null ? v : (defaults[input.name] !== undefined ? defaults[input.name] : '');
      if (input.tagName === 'SELECT' && input.selectedIndex < 0) input.selectedIndex = 0;
    }
  }

  function formValues(form) {
    const out = {};
    for (const input of form.elements) if (input.name) out[input.name] = input.value;
    return out;
  }

  // ---------------------------------------------------------------- index overview

  let overview = null;

  async function loadOverview() {
    try {
      overview = await api('/api/stats');
    } catch (_) {
      overview = null;
      return;
    }
    const fill = (name, map) => {
      for (const select of $$(`select[name="${name}"]`)) {
        const keep = select.value;
        select.replaceChildren(el('option', { value: '', text: '全部' }));
        for (const [k, n] of Object.entries(map || {})) {
          if (k) select.append(el('option', { value: k, text: `${k}（${n}）` }));
        }
        select.value = keep;
        if (select.selectedIndex < 0) select.selectedIndex = 0;
      }
    };
    fill('region', overview.regions);
    fill('kind', overview.kinds);
    const years = Object.keys(overview.years || {});
    $('#foot-index').textContent = `索引：${fmt(overview.docs)} 篇讲话 · ${fmt(overview.chars)} 字` +
      (years.length ? ` · ${years[0]}–${years[years.length - 1]} 年` : '');
  }

  function renderOverview() {
    const box = $('#overview');
    box.replaceChildren();
    if (!overview) return;
    const years = Object.entries(overview.years || {});
    box.append(el('p', { text: `索引共收录 ${fmt(overview.docs)} 篇讲话、${fmt(overview.chars)} 字。输入检索词后按 Enter 检索；或按年份浏览：` }));
    box.append(el('div', { class: 'years' }, years.map(([y, n]) =>
      el('a', { href: hashFor('search', { from: y, to: y, sort: 'date' }), text: `${y}（${n}）` }))));
    box.append(el('p', {}, el('a', { href: hashFor('search', { sort: 'date', all: 1 }), text: '浏览全部讲话（按日期）' })));
  }

  // ---------------------------------------------------------------- search view

  let lastSearchHash = '#/search';

  async function showSearch(params) {
    const form = $('#search-form');
    fillForm(form, params, { sort: 'relevance' });
    const status = $('#search-status');
    const list = $('#results');
    const pager = $('#pager');
    const q = params.get('q') || '';
    const filters = {};
    for (const k of ['from', 'to', 'region', 'speaker', 'kind']) filters[k] = params.get(k) || '';
    const any = q.trim() || Object.values(filters).some((v) => v.trim()) || params.get('all');
    list.replaceChildren();
    pager.replaceChildren();
    if (!any) {
      setStatus(status, '');
      renderOverview();
      document.title = 'speechdex · 政策讲话检索';
      return;
    }
    $('#overview').replaceChildren();
    lastSearchHash = location.hash;
    document.title = (q ? q + ' · ' : '') + 'speechdex 检索';
    const page = Math.max(1, parseInt(params.get('page') || '1', 10) || 1);
    const sort = params.get('sort') || 'relevance';
    setStatus(status, '检索中', true);
    const ticket = ++showSearch.ticket;
    let r;
    try {
      r = await api('/api/search', { q, ...filters, sort, limit: PAGE, offset: (page - 1) * PAGE, snippets: 3 });
    } catch (err) {
      if (ticket === showSearch.ticket) showError(status, err, q);
      return;
    }
    if (ticket !== showSearch.ticket) return;
    if (r.total_docs === 0) {
      setStatus(status, '没有找到匹配的讲话。可以换个说法，或去掉筛选条件。');
      return;
    }
    const from = (page - 1) * PAGE + 1;
    const to = from + r.results.length - 1;
    setStatus(status, (q.trim() ? `共 ${fmt(r.total_docs)} 篇讲话，命中 ${fmt(r.total_hits)} 处` : `共 ${fmt(r.total_docs)} 篇讲话`) +
      (r.results.length ? `；第 ${from}–${to} 篇` : '') + `（${Math.max(1, Math.round(r.took_ms))} 毫秒）`);
    // The results as a spreadsheet (UTF-8 with a BOM, so that Excel reads the Chinese): the first
    // CSV_ROWS in the current order, with every snippet, url and kind, as `search --csv`.
    const csvParams = new URLSearchParams();
    for (const [k, v] of Object.entries({ q, ...filters, sort, limit: CSV_ROWS, snippets: 3, format: 'csv' })) {
      if (String(v).trim() !== '') csvParams.set(k, String(v).trim());
    }
    status.append(' ', el('a', { id: 'search-csv', class: 'download', href: '/api/search?' + csvParams.toString(),
      download: 'search.csv', text: `下载 CSV（前 ${Math.min(CSV_ROWS, r.total_docs)} 篇）` }));
    for (const hit of r.results) {
      const link = hashFor('doc', { q }, hit.id);
      const meta = el('div', { class: 'meta-line' },
        el('span', { text: hit.date || (hit.year ? hit.year + ' 年' : '日期不详') }),
        hit.region ? el('span', { text: hit.region }) : null,
        hit.speaker ? el('span', { text: hit.speaker }) : null,
        q.trim() ? el('span', { class: 'hits', text: `命中 ${fmt(hit.hits)} 处` }) : null);
      const snippets = hit.snippets.map((s) => el('p', { class: 'snippet' },
        el('span', { class: 'para', text: `第 ${s.paragraph} 段` }),
        highlighted(Array.from(s.text), mergeRanges(s.highlights))));
      list.append(el('li', { class: 'result' },
        el('h2', {}, el('a', { href: link, text: hit.title || hit.id, class: 'result-link' })),
        meta, snippets));
    }
    renderPager(pager, params, page, Math.ceil(Math.min(r.total_docs, MAX_OFFSET + PAGE) / PAGE));
  }
  showSearch.ticket = 0;

  function renderPager(pager, params, page, pages) {
    if (pages <= 1) return;
    const link = (p, text, label) => {
      const next = Object.fromEntries(params.entries());
      next.page = p > 1 ? p : '';
      return el('a', { href: hashFor('search', next), text, 'aria-label': label || `第 ${p} 页` });
    };
    if (page > 1) pager.append(link(page - 1, '‹ 上一页', '上一页'));
    const shown = new Set([1, pages, page - 2, page - 1, page, page + 1, page + 2]);
    let last = 0;
    for (let p = 1; p <= pages; p++) {
      if (!shown.has(p)) continue;
      if (p > last + 1) pager.append(el('span', { class: 'gap', text: '…' }));
      pager.append(p === page ? el('span', { class: 'here', 'aria-current': 'page', text: String(p) }) : link(p, String(p)));
      last = p;
    }
    if (page < pages) pager.append(link(page + 1, '下一页 ›', '下一页'));
  }

  // ---------------------------------------------------------------- reader view

  const reader = { marks: [], current: -1 };

  async function showDoc(id, params) {
    const q = params.get('q') || '';
    $('#doc-q').value = q;
    $('#doc-back').href = lastSearchHash.startsWith('#/search') && lastSearchHash !== '#/search'
      ? lastSearchHash : hashFor('search', { q });
    const status = $('#doc-status');
    const body = $('#doc-body');
    setStatus(status, '载入中', true);
    const ticket = ++showDoc.ticket;
    let d;
    try {
      d = await api('/api/docs/' + encodeURIComponent(id), { q });
    } catch (err) {
      if (ticket !== showDoc.ticket) return;
      body.replaceChildren();
      $('#doc-title').textContent = '';
      $('#doc-meta').replaceChildren();
      reader.marks = [];
      updateCount();
      showError(status, err, q);
      return;
    }
    if (ticket !== showDoc.ticket) return;
    setStatus(status, '');
    document.title = d.title + ' · speechdex';
    $('#doc-title').textContent = d.title || d.id;
    const meta = $('#doc-meta');
    meta.replaceChildren();
    const rows = [['日期', d.date || (d.year ? d.year + ' 年' : '')], ['讲话人', d.speaker], ['地区', d.region],
      ['类型', d.kind], ['场合', d.venue], ['标签', (d.tags || []).join('、')], ['来源', d.source],
      ['字数', fmt(d.chars)], ['编号', d.id]];
    for (const [k, v] of rows) if (v) meta.append(el('dt', { text: k }), el('dd', { text: v }));
    if (d.url && /^https?:\/\//i.test(d.url)) {
      meta.append(el('dt', { text: '原文' }), el('dd', {}, el('a', { href: d.url, text: d.url, rel: 'noopener noreferrer', target: '_blank' })));
    }
    // Paragraphs are lines; offsets are code points in the whole body.
    const chars = Array.from(d.body || '');
    // `span=START-END`: a passage to mark (a verified quotation), besides the query's matches.
    const span = /^(\d+)-(\d+)$/.exec(params.get('span') || '');
    const ranges = mergeRanges((d.highlights || []).concat(span ? [[Number(span[1]), Number(span[2])]] : []));
    const frag = document.createDocumentFragment();
    let start = 0;
    while (start <= chars.length) {
      let end = chars.indexOf('\n', start);
      if (end < 0) end = chars.length;
      const line = chars.slice(start, end);
      if (line.join('').trim()) {
        const inLine = ranges.filter((r) => r[1] > start && r[0] < end);
        frag.append(el('p', {}, highlighted(line, inLine, start)));
      }
      start = end + 1;
    }
    body.replaceChildren(frag);
    reader.marks = $$('mark', body);
    reader.marks.forEach((m, i) => { m.id = 'm' + (i + 1); });
    reader.current = -1;
    const at = params.get('at');
    const m = parseInt(params.get('m') || '', 10);
    if (at !== null && reader.marks.length) {
      const offset = parseInt(at, 10);
      let i = reader.marks.findIndex((mk) => Number(mk.dataset.start) >= offset);
      if (i < 0) i = reader.marks.length - 1;
      showMatch(i);
    } else if (m >= 1 && m <= reader.marks.length) {
      showMatch(m - 1);
    } else if (reader.marks.length) {
      showMatch(0, false);
    } else {
      window.scrollTo(0, 0);
      updateCount();
    }
  }
  showDoc.ticket = 0;

  function updateCount() {
    const n = reader.marks.length;
    const q = $('#doc-q').value.trim();
    $('#doc-count').textContent = n ? `第 ${reader.current + 1} / ${n} 处` : (q ? '没有匹配' : '');
    $('#doc-prev').disabled = n === 0;
    $('#doc-next').disabled = n === 0;
  }

  function showMatch(i, scroll = true) {
    const n = reader.marks.length;
    if (!n) return;
    i = ((i % n) + n) % n;
    if (reader.current >= 0 && reader.marks[reader.current]) reader.marks[reader.current].classList.remove('current');
    reader.current = i;
    const mark = reader.marks[i];
    mark.classList.add('current');
    if (scroll) mark.scrollIntoView({ block: 'center' });
    else window.scrollTo(0, 0);
    updateCount();
    const { view, arg, params } = parseHash();
    if (view === 'doc' && scroll) {
      params.delete('at');
      params.set('m', String(i + 1));
      history.replaceState(null, '', hashFor('doc', Object.fromEntries(params.entries()), arg));
    }
  }

  // ---------------------------------------------------------------- trend view

  let lastTrend = null;

  async function showTrend(params) {
    const form = $('#trend-form');
    fillForm(form, params, { metric: 'rate', by: 'year' });
    const status = $('#trend-status');
    const out = $('#trend-out');
    const terms = params.get('terms') || '';
    if (!terms.trim()) {
      out.hidden = true;
      setStatus(status, '输入一个或多个词语（最多 10 个，用逗号分隔），查看它们逐年的使用频率。');
      document.title = '趋势 · speechdex';
      return;
    }
    document.title = terms + ' · 趋势 · speechdex';
    setStatus(status, '计算中', true);
    const ticket = ++showTrend.ticket;
    const req = {};
    for (const k of ['terms', 'metric', 'by', 'from', 'to', 'region', 'kind', 'where']) req[k] = params.get(k) || '';
    let t;
    try {
      t = await api('/api/trend', req);
    } catch (err) {
      if (ticket !== showTrend.ticket) return;
      out.hidden = true;
      showError(status, err, err.body && err.body.parameter === 'where' ? req.where : undefined);
      return;
    }
    if (ticket !== showTrend.ticket) return;
    lastTrend = t;
    const cut = t.truncated ? `仅列出出现次数最多的 ${fmt(t.groups.length)} 组（共 ${fmt(t.total_groups)} 组）。` : '';
    setStatus(status, `${fmt(t.docs)} 篇讲话、${fmt(t.chars)} 字中的${METRICS[t.metric]}，按${BY[t.by]}分组。${cut}`);
    out.hidden = false;
    const chart = $('#chart');
    chart.replaceChildren(trendChart(t));
    renderTrendSummary(t);
    renderTrendTable(t);
  }
  showTrend.ticket = 0;

  const cellValue = (t, cell) => (t.metric === 'count' ? cell.count : t.metric === 'docs' ? cell.docs : cell.rate);
  const groupLabel = (g) => (g.key === 'unknown' ? '未知' : g.key);

  function niceMax(x) {
    if (!(x > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(x)));
    for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= x) return m * p;
    return 10 * p;
  }

  /** A group's figures for a term: `null` when the group has no speeches (no data). */
  function termCell(g, term) {
    if (!g.terms || !Object.prototype.hasOwnProperty.call(g.terms, term)) return { count: 0, docs: 0, rate: 0 };
    return g.terms[term];
  }

  /** The trend as an SVG line chart (by year) or grouped bar chart (other groupings). */
  function trendChart(t) {
    const W = 800, H = 400, L = 64, R = 20, T = 48, B = 64;
    const groups = t.by === 'year' ? t.groups.filter((g) => g.key !== 'unknown') : t.groups.slice(0, 40);
    const terms = t.terms;
    const root = svg('svg', { xmlns: SVG_NS, viewBox: `0 0 ${W} ${H}`, width: W, height: H,
      role: 'img', 'font-family': FONT, 'font-size': 13 });
    root.append(svg('title', {}, `${terms.join('、')}：${METRICS[t.metric]}（按${BY[t.by]}）`));
    root.append(svg('rect', { x: 0, y: 0, width: W, height: H, fill: '#ffffff' }));
    const pw = W - L - R, ph = H - T - B;
    // A group without speeches has null cells (no data): no point, no bar, a gap in the line.
    const valueOf = (g, term) => {
      const c = termCell(g, term);
      return c === null ? null : cellValue(t, c);
    };
    let max = 0;
    for (const g of groups) for (const term of terms) max = Math.max(max, valueOf(g, term) || 0);
    const ymax = niceMax(max);
    const y = (v) => T + ph - (v / ymax) * ph;
    // grid and y axis
    for (let i = 0; i <= 5; i++) {
      const v = (ymax / 5) * i;
      root.append(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: i ? '#e3e6ec' : '#8a93a3', 'stroke-width': 1 }));
      root.append(svg('text', { x: L - 8, y: y(v) + 4, 'text-anchor': 'end', fill: '#5d6677' },
        t.metric === 'rate' ? fmtRate(v) : fmt(Math.round(v * 100) / 100)));
    }
    root.append(svg('text', { x: 14, y: T + ph / 2, 'text-anchor': 'middle', fill: '#5d6677',
      transform: `rotate(-90 14 ${T + ph / 2})` }, METRICS[t.metric]));
    // x positions
    const n = groups.length;
    const band = pw / Math.max(n, 1);
    const xc = (i) => (t.by === 'year' ? (n === 1 ? L + pw / 2 : L + (pw * i) / (n - 1)) : L + band * (i + 0.5));
    const every = Math.max(1, Math.ceil(n / (t.by === 'year' ? 16 : 20)));
    groups.forEach((g, i) => {
      if (i % every !== 0 && i !== n - 1) return;
      const label = groupLabel(g);
      const text = label.length > 8 ? label.slice(0, 7) + '…' : label;
      if (t.by === 'year') {
        root.append(svg('text', { x: xc(i), y: T + ph + 20, 'text-anchor': 'middle', fill: '#5d6677' }, text));
      } else {
        const x = xc(i), yy = T + ph + 14;
        root.append(svg('text', { x, y: yy, 'text-anchor': 'end', fill: '#5d6677', transform: `rotate(-35 ${x} ${yy})` }, text));
      }
    });
    // series
    terms.forEach((term, k) => {
      const color = COLORS[k % COLORS.length];
      const vals = groups.map((g) => valueOf(g, term));
      const series = svg('g', { class: 'series', 'data-term': term });
      if (t.by === 'year') {
        if (n > 1) {
          let d = '';
          vals.forEach((v, i) => {
            if (v === null) return;
            d += (i && vals[i - 1] !== null ? 'L' : 'M') + xc(i).toFixed(1) + ' ' + y(v).toFixed(1) + ' ';
          });
          if (d) series.append(svg('path', { d: d.trim(), fill: 'none', stroke: color, 'stroke-width': 2.5, 'stroke-linejoin': 'round' }));
        }
        vals.forEach((v, i) => {
          if (v === null) return;
          const c = svg('circle', { cx: xc(i).toFixed(1), cy: y(v).toFixed(1), r: 3.5, fill: color });
          c.append(svg('title', {}, `${groupLabel(groups[i])} ${term}：${t.metric === 'rate' ? fmtRate(v) : fmt(v)}`));
          series.append(c);
        });
      } else {
        const bw = Math.max(2, (band * 0.8) / terms.length);
        vals.forEach((v, i) => {
          if (v === null) return;
          const x = L + band * i + band * 0.1 + bw * k;
          const r = svg('rect', { x: x.toFixed(1), y: y(v).toFixed(1), width: bw.toFixed(1), height: (T + ph - y(v)).toFixed(1), fill: color });
          r.append(svg('title', {}, `${groupLabel(groups[i])} ${term}：${t.metric === 'rate' ? fmtRate(v) : fmt(v)}`));
          series.append(r);
        });
      }
      root.append(series);
    });
    // legend
    let lx = L;
    terms.forEach((term, k) => {
      const color = COLORS[k % COLORS.length];
      root.append(svg('rect', { x: lx, y: 16, width: 14, height: 14, rx: 2, fill: color }));
      root.append(svg('text', { x: lx + 20, y: 28, fill: '#1d2330' }, term));
      lx += 34 + 14 * Array.from(term).length;
    });
    return root;
  }

  function renderTrendSummary(t) {
    const box = $('#trend-summary');
    box.replaceChildren();
    const get = (map, term) => (map && Object.prototype.hasOwnProperty.call(map, term) ? map[term] : null);
    for (const term of t.terms) {
      const total = get(t.totals, term) || { count: 0, docs: 0 };
      const first = get(t.first_seen, term);
      const last = get(t.last_seen, term);
      const peak = get(t.peak, term);
      const p = el('p', {}, el('strong', { text: term }), `：共 ${fmt(total.count)} 次，见于 ${fmt(total.docs)} 篇讲话`);
      if (first) {
        p.append('；首次出现于 ', el('a', { href: hashFor('doc', { q: term }, first.id), text: `${first.date || first.year || ''}《${first.title}》` }));
      }
      if (last && (!first || last.id !== first.id)) {
        p.append('，最近一次 ', el('a', { href: hashFor('doc', { q: term }, last.id), text: `${last.date || last.year || ''}《${last.title}》` }));
      }
      if (peak && peak.count > 0) p.append(`；峰值在 ${peak.group === 'unknown' ? '未知' : peak.group}（${t.metric === 'rate' ? fmtRate(peak.value) : fmt(peak.value)}）`);
      p.append('。 ', el('a', { href: hashFor('kwic', { term }), text: '查看语境 →' }));
      box.append(p);
    }
  }

  function trendRows(t) {
    const head = [BY[t.by], '讲话篇数', '字数'];
    for (const term of t.terms) head.push(`${term} 次数`, `${term} 篇数`, `${term} 每万字`);
    const rows = [head];
    for (const g of t.groups) {
      const row = [g.title ? `${g.key} ${g.title}` : groupLabel(g), g.docs, g.chars];
      for (const term of t.terms) {
        const c = termCell(g, term);
        if (c === null) row.push('', '', ''); // no speeches: no data, not zero
        else row.push(c.count, c.docs, Math.round(c.rate * 1000) / 1000);
      }
      rows.push(row);
    }
    return rows;
  }

  function renderTrendTable(t) {
    const table = $('#trend-table');
    table.replaceChildren();
    const rows = trendRows(t);
    table.append(el('thead', {}, el('tr', {}, rows[0].map((h) => el('th', { scope: 'col', text: h })))));
    const body = el('tbody');
    for (const r of rows.slice(1)) {
      body.append(el('tr', {}, r.map((v, i) => el('td', {
        class: i > 2 && Number(v) === 0 ? 'zero' : undefined,
        text: typeof v === 'number' ? (i > 2 && (i - 3) % 3 === 2 ? fmtRate(v) : fmt(v)) : v,
      }))));
    }
    table.append(body);
  }

  function chartFileName(ext) {
    const base = lastTrend ? lastTrend.terms.join('_').replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 60) : 'trend';
    return `trend-${base}.${ext}`;
  }

  function chartSvgText() {
    const node = $('#chart svg');
    return node ? '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(node) : null;
  }

  function downloadPng() {
    const text = chartSvgText();
    if (!text) return;
    const node = $('#chart svg');
    const w = Number(node.getAttribute('width')), h = Number(node.getAttribute('height'));
    const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = w * 2;
      canvas.height = h * 2;
      const ctx = canvas.getContext('2d');
      ctx.scale(2, 2);
      ctx.drawImage(img, 0, 0, w, h);
      URL.revokeObjectURL(url);
      canvas.toBlob((blob) => blob && download(blob, chartFileName('png')), 'image/png');
    };
    img.onerror = () => URL.revokeObjectURL(url);
    img.src = url;
  }

  // ---------------------------------------------------------------- concordance view

  let lastKwic = null;

  async function showKwic(params) {
    const form = $('#kwic-form');
    fillForm(form, params, { sort: 'date', width: '30', limit: '100' });
    const status = $('#kwic-status');
    const out = $('#kwic-out');
    const term = params.get('term') || '';
    if (!term.trim()) {
      out.hidden = true;
      setStatus(status, '输入一个词语，逐条查看它在讲话中出现的上下文。');
      document.title = '语境 · speechdex';
      return;
    }
    document.title = term + ' · 语境 · speechdex';
    setStatus(status, '查找中', true);
    const ticket = ++showKwic.ticket;
    const req = {};
    for (const k of ['term', 'sort', 'width', 'limit', 'from', 'to', 'where']) req[k] = params.get(k) || '';
    let c;
    try {
      c = await api('/api/kwic', req);
    } catch (err) {
      if (ticket !== showKwic.ticket) return;
      out.hidden = true;
      showError(status, err, err.body && err.body.parameter === 'where' ? req.where : undefined);
      return;
    }
    if (ticket !== showKwic.ticket) return;
    lastKwic = c;
    if (!c.total) {
      out.hidden = true;
      setStatus(status, `没有找到“${c.term}”。`);
      return;
    }
    setStatus(status, `“${c.term}”共出现 ${fmt(c.total)} 次，见于 ${fmt(c.docs)} 篇讲话` +
      (c.lines.length < c.total ? `；显示前 ${fmt(c.lines.length)} 条` : '') + '。');
    out.hidden = false;
    const table = $('#kwic-table');
    const matchWidth = el('th', { scope: 'col', class: 'match', text: '词语' });
    const longest = Math.max(2, ...c.lines.map((l) => Array.from(l.match).length));
    matchWidth.style.width = (longest + 1.2) + 'em';
    table.replaceChildren(el('thead', {}, el('tr', {},
      el('th', { scope: 'col', class: 'src', text: '出处' }), el('th', { scope: 'col', class: 'left', text: '左侧' }),
      matchWidth, el('th', { scope: 'col', class: 'right', text: '右侧' }))));
    const body = el('tbody');
    for (const line of c.lines) {
      body.append(el('tr', {},
        el('td', { class: 'src' }, el('a', {
          href: hashFor('doc', { q: c.term, at: line.offset }, line.id),
          title: line.title, text: `${line.date || line.year || ''} ${line.title}`,
        })),
        el('td', { class: 'left' }, el('span', { text: line.left })),
        el('td', { class: 'match' }, el('a', { href: hashFor('doc', { q: c.term, at: line.offset }, line.id), text: line.match })),
        el('td', { class: 'right', text: line.right })));
    }
    table.append(body);
  }
  showKwic.ticket = 0;

  // ---------------------------------------------------------------- compare view

  async function showCompare(params) {
    const form = $('#compare-form');
    fillForm(form, params, { limit: '20' });
    const status = $('#compare-status');
    const out = $('#compare-out');
    const a = params.get('a') || '', b = params.get('b') || '';
    out.replaceChildren();
    if (!a.trim() || !b.trim()) {
      setStatus(status, '用两个检索式各选一组讲话（如 year:2024 与 year:2025），比较两组的用词差异（对数似然 G²）。');
      document.title = '对比 · speechdex';
      return;
    }
    document.title = `${a} ↔ ${b} · 对比 · speechdex`;
    setStatus(status, '计算中', true);
    const ticket = ++showCompare.ticket;
    let c;
    try {
      c = await api('/api/compare', { a, b, terms: params.get('terms') || '', limit: params.get('limit') || '' });
    } catch (err) {
      if (ticket !== showCompare.ticket) return;
      const p = err.body && err.body.parameter;
      showError(status, err, p === 'a' ? a : p === 'b' ? b : undefined);
      return;
    }
    if (ticket !== showCompare.ticket) return;
    setStatus(status, `甲组 ${fmt(c.a.docs)} 篇（${fmt(c.a.tokens)} 词），乙组 ${fmt(c.b.docs)} 篇（${fmt(c.b.tokens)} 词）。G² ≥ 3.84 即 p < 0.05；对数比 +1 表示甲组频率为乙组的两倍。`);
    const table = (title, words) => {
      const t = el('table', { class: 'data' }, el('thead', {}, el('tr', {},
        ['词', '甲', '乙', 'G²', '对数比'].map((h) => el('th', { scope: 'col', text: h })))));
      const body = el('tbody');
      for (const w of words) {
        body.append(el('tr', {},
          el('td', {}, el('a', { href: hashFor('kwic', { term: w.word }), text: w.word })),
          el('td', { text: fmt(w.a) }), el('td', { text: fmt(w.b) }),
          el('td', { text: fmtRate(w.g2) }), el('td', { text: fmtRate(w.log_ratio) })));
      }
      t.append(body);
      return el('div', {}, el('h2', { text: title }), el('div', { class: 'table-wrap' }, t));
    };
    out.append(el('div', { class: 'compare-grid' },
      table('甲组较多', c.over_a), table('乙组较多', c.over_b),
      table('乙组新出现', c.new_in_b), table('仅见于甲组', c.only_in_a)));
    if (c.terms && c.terms.length) {
      const t = el('table', { class: 'data' }, el('thead', {}, el('tr', {},
        ['对照词', '甲 次数', '甲 每万字', '乙 次数', '乙 每万字', 'G²'].map((h) => el('th', { scope: 'col', text: h })))));
      const body = el('tbody');
      for (const x of c.terms) {
        body.append(el('tr', {}, el('td', { text: x.term }), el('td', { text: fmt(x.a) }), el('td', { text: fmtRate(x.a_rate) }),
          el('td', { text: fmt(x.b) }), el('td', { text: fmtRate(x.b_rate) }), el('td', { text: fmtRate(x.g2) })));
      }
      t.append(body);
      out.append(el('h2', { text: '对照词' }), el('div', { class: 'table-wrap' }, t));
    }
  }
  showCompare.ticket = 0;

  // ---------------------------------------------------------------- diff view (提法对比)

  const DIFF_LIST = 2000; // the server's MAX_DIFF_LIST: every sentence and phrase up to it
  const PHRASE_ROWS = 50;
  const knownIds = new Set();
  let latest = null;

  /** A piece of text a screen reader announces but nobody sees (marks say what they are). */
  const sr = (text) => el('span', { class: 'sr-only', text });
  const deleted = (text) => el('del', {}, sr('［删去］'), text);
  const inserted = (text) => el('ins', {}, sr('［新增］'), text);

  /** The ids of the two latest national government work reports (older first), looked up once. */
  async function latestReports() {
    if (latest) return latest;
    for (const q of ['kind:政府工作报告 region:全国', 'kind:政府工作报告', '']) {
      try {
        const r = await api('/api/search', { q, sort: 'date', limit: 2, snippets: 0 });
        if (r.results.length === 2) {
          latest = [r.results[1].id, r.results[0].id];
          return latest;
        }
      } catch (_) { /* the next, wider query */ }
    }
    return null;
  }

  /** A query for speeches whose title holds every word typed. */
  function titleQuery(text) {
    return text.trim().split(/\s+/).filter(Boolean)
      .map((w) => 'title:"' + w.replace(/["\\]/g, '\\$&') + '"').join(' ');
  }

  /** Suggestions for a speech input: titles matching what is typed, the id as value. */
  async function suggest(input) {
    const list = document.getElementById(input.getAttribute('list'));
    const typed = input.value.trim();
    if (!typed || knownIds.has(typed)) return;
    let r;
    try {
      r = await api('/api/search', { q: titleQuery(typed), limit: 8, snippets: 0 });
    } catch (_) { return; }
    if (input.value.trim() !== typed) return;
    list.replaceChildren(...r.results.map((h) => {
      knownIds.add(h.id);
      return el('option', { value: h.id, label: `${h.date || h.year || ''} ${h.title}`.trim() });
    }));
  }

  /** An id from what the user typed: an id as is, else the best speech with those title words. */
  async function resolveSpeech(value) {
    const v = value.trim();
    if (!v || knownIds.has(v) || (!/\s/.test(v) && /[/.:]/.test(v))) return v;
    const r = await api('/api/search', { q: titleQuery(v), limit: 1, snippets: 0 });
    if (!r.results.length) throw new ApiError(404, { error: `没有标题包含“${v}”的讲话` });
    return r.results[0].id;
  }

  function diffMode() {
    const checked = $('#diff-form input[name=mode]:checked');
    return checked ? checked.value : 'speech';
  }

  function setDiffMode(mode) {
    for (const r of $$('#diff-form input[name=mode]')) r.checked = r.value === mode;
    $('#diff-speeches').hidden = mode !== 'speech';
    $('#diff-sets').hidden = mode !== 'set';
  }

  async function showDiff(params) {
    const f = $('#diff-form').elements;
    const get = (k) => params.get(k) || '';
    let a = get('a'), b = get('b');
    const qa = get('qa'), qb = get('qb');
    const sets = Boolean(qa.trim() || qb.trim());
    setDiffMode(sets ? 'set' : 'speech');
    f.qa.value = qa;
    f.qb.value = qb;
    f.min_similarity.value = get('min_similarity') || '0.5';
    const status = $('#diff-status');
    const out = $('#diff-out');
    const ticket = ++showDiff.ticket;
    if (!sets && !a.trim() && !b.trim()) {
      setStatus(status, '正在选取最新的两篇全国政府工作报告', true);
      const ids = await latestReports();
      if (ticket !== showDiff.ticket) return;
      if (!ids) {
        out.hidden = true;
        setStatus(status, '选两篇讲话（旧稿、新稿），逐句比较提法的变化。');
        return;
      }
      [a, b] = ids;
    }
    f.a.value = a;
    f.b.value = b;
    document.title = '提法对比 · speechdex';
    setStatus(status, '对比中', true);
    const req = sets ? { qa, qb } : { a, b };
    req.min_similarity = get('min_similarity');
    req.limit = DIFF_LIST;
    req.phrases = PHRASE_ROWS; // every phrase only when asked for (a smaller answer)
    let d;
    try {
      d = await api('/api/diff', req);
    } catch (err) {
      if (ticket !== showDiff.ticket) return;
      out.hidden = true;
      const p = err.body && err.body.parameter;
      showError(status, err, p === 'qa' ? qa : p === 'qb' ? qb : undefined);
      return;
    }
    if (ticket !== showDiff.ticket) return;
    renderDiff(d, req);
  }
  showDiff.ticket = 0;

  /** One side of a diff: its title (a link to the speech) or its query, and its size. */
  function diffSide(name, side) {
    for (const id of side.ids) knownIds.add(id);
    const what = side.title
      ? el('a', { href: hashFor('doc', {}, side.label), text: side.title })
      : el('code', { text: side.label });
    return el('p', {}, el('strong', { text: name + '：' }), what,
      `（${side.docs > 1 ? fmt(side.docs) + ' 篇讲话，' : ''}${fmt(side.sentences)} 句，${fmt(side.chars)} 字）`);
  }

  /** A changed sentence as a marked-up copy: deleted and inserted stretches. */
  function markedUp(marks) {
    const frag = document.createDocumentFragment();
    for (const m of marks) {
      if (m.op === 'delete') frag.append(deleted(m.text));
      else if (m.op === 'insert') frag.append(inserted(m.text));
      else frag.append(m.text);
    }
    return frag;
  }

  function renderDiff(d, req) {
    const out = $('#diff-out');
    const t = d.totals;
    const several = d.a.docs > 1 || d.b.docs > 1;
    const status = $('#diff-status');
    setStatus(status, t.changed + t.removed + t.added === 0
      ? '两稿逐句相同（不计空白和标点），没有变化。'
      : `共 ${fmt(t.changed + t.removed + t.added)} 处变化。`);
    const csv = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...req, phrases: DIFF_LIST, format: 'csv' })) if (String(v).trim()) csv.set(k, String(v).trim());
    status.append(' ', el('a', { id: 'diff-csv', class: 'download', href: '/api/diff?' + csv.toString(), download: 'diff.csv', text: '下载 CSV' }));
    const listed = d.changed.length + d.removed.length + d.added.length;
    $('#diff-summary').replaceChildren(diffSide('旧稿（甲）', d.a), diffSide('新稿（乙）', d.b),
      el('p', { text: `未变 ${fmt(d.unchanged)} 句（其中 ${fmt(d.moved)} 句换了位置，不列出）；改写 ${fmt(t.changed)} 句，删去 ${fmt(t.removed)} 句，新增 ${fmt(t.added)} 句` +
        (listed < t.changed + t.removed + t.added ? `；每类列出前 ${fmt(DIFF_LIST)} 句` : '') +
        `。相似度 ≥ ${d.min_similarity} 的一删一增算作改写。` }));
    const counts = { all: t.changed + t.removed + t.added, changed: t.changed, removed: t.removed, added: t.added };
    for (const r of $$('#diff-show input')) {
      r.parentElement.lastChild.textContent = ` ${{ all: '全部变化', changed: '改写', removed: '删去', added: '新增' }[r.value]}（${fmt(counts[r.value])}）`;
    }
    const where = (side, para, section, id) => [el('span', { text: `${side}¶${para}` }),
      section ? el('span', { text: section }) : null, several ? el('span', { text: id }) : null];
    // Built when shown: a long diff lists thousands of sentences.
    diffItems = [
      ...d.changed.map((c) => [c.order, 'changed', () => el('li', { class: 'changed' },
        el('div', { class: 'where' }, el('span', { class: 'kind', text: '改写' }),
          el('span', { text: `甲¶${c.paragraph_old} → 乙¶${c.paragraph_new}` }),
          c.section_new ? el('span', { text: c.section_new }) : null,
          several ? el('span', { text: c.id_new }) : null,
          el('span', { text: `相似度 ${Math.round(c.similarity * 100)}%` })),
        el('p', { class: 'text' }, markedUp(c.marks)))]),
      ...d.removed.map((s) => [s.order, 'removed', () => el('li', { class: 'removed' },
        el('div', { class: 'where' }, el('span', { class: 'kind', text: '删去' }), where('甲', s.paragraph, s.section, s.id)),
        el('p', { class: 'text' }, deleted(s.text)))]),
      ...d.added.map((s) => [s.order, 'added', () => el('li', { class: 'added' },
        el('div', { class: 'where' }, el('span', { class: 'kind', text: '新增' }), where('乙', s.paragraph, s.section, s.id)),
        el('p', { class: 'text' }, inserted(s.text)))]),
    ].sort((x, y) => x[0] - y[0]);
    showChanges();
    const table = (id, title, phrases, total, key) => {
      const body = el('tbody');
      const row = (p) => el('tr', {},
        el('td', {}, el('a', { href: hashFor('kwic', { term: p.phrase }), text: p.phrase })),
        el('td', { text: fmt(p.count_a) }), el('td', { text: fmt(p.count_b) }), el('td', { text: fmtRate(p.g2) }));
      body.append(...phrases.slice(0, PHRASE_ROWS).map(row));
      const box = el('div', { id },
        el('h2', { text: `${title}（${fmt(total)}）` }),
        el('div', { class: 'table-wrap' }, el('table', { class: 'data' },
          el('thead', {}, el('tr', {}, ['提法', '甲', '乙', 'G²'].map((h) => el('th', { scope: 'col', text: h })))), body)));
      if (total > phrases.length) {
        const all = Math.min(total, DIFF_LIST);
        const more = el('button', { type: 'button', class: 'more', text: `显示全部 ${fmt(all)} 条` + (all < total ? `（共 ${fmt(total)} 条）` : '') });
        more.addEventListener('click', async () => {
          more.disabled = true;
          more.textContent = '载入中…';
          let every;
          try {
            every = await api('/api/diff', { ...req, limit: 1, phrases: DIFF_LIST });
          } catch (err) {
            showError($('#diff-status'), err);
            more.remove();
            return;
          }
          body.append(...every[key].slice(phrases.length).map(row));
          more.remove();
        });
        box.append(more);
      }
      return box;
    };
    $('#diff-phrases').replaceChildren(
      table('diff-new', '新出现的提法（乙有甲无）', d.new_phrases, t.new_phrases, 'new_phrases'),
      table('diff-dropped', '不再出现的提法（甲有乙无）', d.dropped_phrases, t.dropped_phrases, 'dropped_phrases'));
    out.hidden = false;
  }

  const CHANGES_SHOWN = 200;
  let diffItems = [];

  /** The changes of the kind chosen under 显示, the first CHANGES_SHOWN, then more on demand. */
  function showChanges() {
    const checked = $('#diff-show input:checked');
    const kind = checked ? checked.value : 'all';
    const items = diffItems.filter((x) => kind === 'all' || x[1] === kind);
    const list = $('#diff-changes');
    const more = $('#diff-more');
    let shown = 0;
    const next = () => {
      list.append(...items.slice(shown, shown + CHANGES_SHOWN).map((x) => x[2]()));
      shown = Math.min(items.length, shown + CHANGES_SHOWN);
      more.hidden = shown >= items.length;
      more.textContent = `显示更多（还有 ${fmt(items.length - shown)} 处）`;
    };
    list.replaceChildren();
    more.onclick = next;
    next();
  }

  // ---------------------------------------------------------------- verify view (核对引文)

  /** Text with its line breaks shown as ⏎ (a passage keeps them, as in the speech). */
  function withBreaks(text) {
    const frag = document.createDocumentFragment();
    text.split('\n').forEach((part, i) => {
      if (i) frag.append(el('span', { class: 'br', title: '换行', text: '⏎' }));
      if (part) frag.append(part);
    });
    return frag;
  }

  /** A near passage marked up against the quote: the quote's characters the speech lacks
   * struck through, the speech's characters the quote lacks underlined. */
  function nearPassage(p) {
    const frag = document.createDocumentFragment();
    const at = new Map();
    const missing = new Map();
    for (const d of p.differences) {
      if (d.kind === 'missing') missing.set(d.text_offset, (missing.get(d.text_offset) || '') + (d.quote || ''));
      else at.set(d.text_offset, d);
    }
    const chars = Array.from(p.text);
    let plain = '';
    const flush = () => { if (plain) frag.append(withBreaks(plain)); plain = ''; };
    for (let i = 0; i <= chars.length; i++) {
      const offset = p.start + i;
      if (missing.has(offset)) { flush(); frag.append(deleted(missing.get(offset))); }
      if (i === chars.length) break;
      const d = at.get(offset);
      if (!d) { plain += chars[i]; continue; }
      flush();
      if (d.kind === 'replaced') frag.append(deleted(d.quote || ''));
      frag.append(inserted(chars[i]));
    }
    flush();
    for (const [offset, text] of missing) if (offset > p.start + chars.length) frag.append(deleted(text));
    return frag;
  }

  function passageItem(p, near) {
    const when = p.date || (p.year ? p.year + ' 年' : '日期不详');
    const paras = p.paragraph_end > p.paragraph ? `第 ${p.paragraph}–${p.paragraph_end} 段` : `第 ${p.paragraph} 段`;
    const link = hashFor('doc', { span: `${p.start}-${p.end}`, at: p.start }, p.id);
    const meta = el('div', { class: 'meta-line' }, el('span', { text: when }),
      p.speaker ? el('span', { text: p.speaker }) : null, el('span', { text: paras }),
      near ? el('span', { class: 'hits', text: `相差 ${p.distance} 字` }) : null,
      el('span', { text: p.id }),
      p.url && /^https?:\/\//i.test(p.url)
        ? el('a', { href: p.url, rel: 'noopener noreferrer', target: '_blank', text: '原文出处' }) : null);
    const passage = el('p', { class: 'passage' },
      el('span', { class: 'ctx' }, withBreaks(p.before)),
      near ? nearPassage(p) : el('mark', {}, withBreaks(p.text)),
      el('span', { class: 'ctx' }, withBreaks(p.after)));
    return el('li', { class: near ? 'near' : 'exact' },
      el('h2', {}, el('a', { href: link, text: p.title || p.id })), meta, passage);
  }

  async function showVerify(params) {
    const q = params.get('q') || '';
    $('#verify-q').value = q;
    const status = $('#verify-status');
    const list = $('#verify-out');
    list.replaceChildren();
    if (!q.trim()) {
      setStatus(status, '粘贴一段引文，查看它是否一字不差地出现在讲话中、出自哪篇哪一段；找不到原文时，列出最接近的段落并标出差异。');
      document.title = '核对引文 · speechdex';
      return;
    }
    document.title = '核对引文 · speechdex';
    setStatus(status, '核对中', true);
    const ticket = ++showVerify.ticket;
    let r;
    try {
      r = await api('/api/verify', { q });
    } catch (err) {
      if (ticket === showVerify.ticket) showError(status, err);
      return;
    }
    if (ticket !== showVerify.ticket) return;
    status.className = 'status';
    if (r.exact_total > 0) {
      status.replaceChildren(el('strong', { text: `找到原文 ${fmt(r.exact_total)} 处` }),
        r.exact.length < r.exact_total ? `，列出最早的 ${fmt(r.exact.length)} 处` : '',
        '（按日期从早到晚；已忽略空格、换行和全半角标点的差异）。');
      list.replaceChildren(...r.exact.map((p) => passageItem(p, false)));
    } else {
      status.replaceChildren(el('strong', { text: '未找到原文：' }), '讲话中没有这段文字（已忽略空格、换行和全半角标点的差异）',
        r.near.length
          ? `。下面是最接近的 ${r.near.length} 处（至多相差 ${r.max_distance} 字），差异已标出：`
          : (r.max_distance ? `，也没有相差 ${r.max_distance} 字以内的段落。` : '。'));
      list.replaceChildren(...r.near.map((p) => passageItem(p, true)));
    }
  }
  showVerify.ticket = 0;

  // ---------------------------------------------------------------- wiring

  const VIEWS = { search: showSearch, doc: null, trend: showTrend, kwic: showKwic, compare: showCompare,
    diff: showDiff, verify: showVerify };

  function route() {
    let { view, arg, params } = parseHash();
    if (!(view in VIEWS)) view = 'search';
    for (const section of $$('.view')) section.hidden = section.id !== 'view-' + view;
    for (const a of $$('.top nav a')) {
      if (a.dataset.view === view || (view === 'doc' && a.dataset.view === 'search')) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    if (view === 'doc') showDoc(arg, params);
    else VIEWS[view](params);
  }

  function mainInput() {
    const { view } = parseHash();
    return { search: '#q', doc: '#doc-q', trend: '#trend-terms', kwic: '#kwic-term', compare: '#compare-form input[name=a]',
      diff: '#diff-a', verify: '#verify-q' }[view] || '#q';
  }

  function init() {
    const searchForm = $('#search-form');
    searchForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = formValues(searchForm);
      if (v.sort === 'relevance') v.sort = '';
      go(hashFor('search', v));
    });
    for (const select of $$('select', searchForm)) {
      select.addEventListener('change', () => searchForm.requestSubmit());
    }
    $('#doc-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const { arg } = parseHash();
      go(hashFor('doc', { q: $('#doc-q').value }, arg));
    });
    $('#doc-prev').addEventListener('click', () => showMatch(reader.current - 1));
    $('#doc-next').addEventListener('click', () => showMatch(reader.current + 1));
    const trendForm = $('#trend-form');
    trendForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = formValues(trendForm);
      if (v.metric === 'rate') v.metric = '';
      if (v.by === 'year') v.by = '';
      go(hashFor('trend', v));
    });
    for (const select of $$('select', trendForm)) {
      select.addEventListener('change', () => { if ($('#trend-terms').value.trim()) trendForm.requestSubmit(); });
    }
    $('#dl-csv').addEventListener('click', () => lastTrend &&
      download(new Blob([csvText(trendRows(lastTrend))], { type: 'text/csv;charset=utf-8' }), chartFileName('csv')));
    $('#dl-svg').addEventListener('click', () => {
      const text = chartSvgText();
      if (text) download(new Blob([text], { type: 'image/svg+xml' }), chartFileName('svg'));
    });
    $('#dl-png').addEventListener('click', downloadPng);
    const kwicForm = $('#kwic-form');
    kwicForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = formValues(kwicForm);
      if (v.sort === 'date') v.sort = '';
      if (v.width === '30') v.width = '';
      if (v.limit === '100') v.limit = '';
      go(hashFor('kwic', v));
    });
    for (const select of $$('select', kwicForm)) {
      select.addEventListener('change', () => { if ($('#kwic-term').value.trim()) kwicForm.requestSubmit(); });
    }
    $('#kwic-csv').addEventListener('click', () => {
      if (!lastKwic) return;
      const rows = [['编号', '标题', '日期', '段', '位置', '左侧', '词语', '右侧']];
      for (const l of lastKwic.lines) rows.push([l.id, l.title, l.date || l.year || '', l.paragraph, l.offset, l.left, l.match, l.right]);
      download(new Blob([csvText(rows)], { type: 'text/csv;charset=utf-8' }), `kwic-${lastKwic.term}.csv`);
    });
    const compareForm = $('#compare-form');
    compareForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = formValues(compareForm);
      if (v.limit === '20') v.limit = '';
      go(hashFor('compare', v));
    });

    const diffForm = $('#diff-form');
    for (const r of $$('input[name=mode]', diffForm)) r.addEventListener('change', () => setDiffMode(diffMode()));
    for (const input of [$('#diff-a'), $('#diff-b')]) {
      let timer = 0;
      input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => suggest(input), 200); });
    }
    diffForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = diffForm.elements;
      const v = { min_similarity: f.min_similarity.value === '0.5' ? '' : f.min_similarity.value };
      if (diffMode() === 'set') {
        v.qa = f.qa.value;
        v.qb = f.qb.value;
      } else {
        try {
          v.a = await resolveSpeech(f.a.value);
          v.b = await resolveSpeech(f.b.value);
        } catch (err) {
          $('#diff-out').hidden = true;
          showError($('#diff-status'), err);
          return;
        }
      }
      go(hashFor('diff', v));
    });
    for (const r of $$('#diff-show input')) r.addEventListener('change', showChanges);
    const verifyForm = $('#verify-form');
    verifyForm.addEventListener('submit', (e) => {
      e.preventDefault();
      go(hashFor('verify', { q: $('#verify-q').value }));
    });
    // Enter checks the quotation, Shift+Enter starts a new line.
    $('#verify-q').addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        verifyForm.requestSubmit();
      }
    });

    document.addEventListener('keydown', (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      const t = e.target;
      const typing = t instanceof HTMLElement && (t.matches('input, select, textarea') || t.isContentEditable);
      if (typing) {
        if (e.key === 'Escape') t.blur();
        return;
      }
      const { view } = parseHash();
      if (e.key === '/') {
        e.preventDefault();
        const input = $(mainInput());
        if (input) { input.focus(); input.select(); }
      } else if (view === 'doc' && (e.key === 'n' || e.key === 'ArrowRight' || e.key === 'j')) {
        e.preventDefault();
        showMatch(reader.current + 1);
      } else if (view === 'doc' && (e.key === 'p' || e.key === 'ArrowLeft' || e.key === 'k')) {
        e.preventDefault();
        showMatch(reader.current - 1);
      } else if (view === 'doc' && e.key === 'Escape') {
        location.hash = $('#doc-back').getAttribute('href');
      }
    });
    window.addEventListener('hashchange', route);
    loadOverview().finally(route);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
