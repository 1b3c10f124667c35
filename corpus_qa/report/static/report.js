/* corpus-qa report: renders the findings table, the document views and the story views from
   the JSON embedded in index.html. Our own code, inlined into the page.
   Safety rule: document data only ever reaches the page as text (textContent, Text nodes,
   attribute values); nothing here parses strings as HTML. */
(function () {
  'use strict';

  const PAGE_SIZE = 100;
  const WIDE_SHARE = 0.9;        // a finding covering this much of a long text is "whole document"
  const WIDE_MIN_CHARS = 400;
  const MAX_DIFF_CELLS = 250000; // word diff of two aligned sentences: n * m tokens at most
  const SCROLL = { block: 'center', inline: 'nearest' };

  const byId = (id) => document.getElementById(id);

  /** Build an element. Strings among the children become Text nodes; never HTML. */
  function h(tag, props, ...kids) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = String(value);
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else if (key === 'href') el.setAttribute('href', safeHref(value));
      else el.setAttribute(key, String(value));
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid !== null && kid !== undefined && kid !== false) el.append(kid);
    }
    return el;
  }

  /** Links in this page only ever point at its own anchors. */
  function safeHref(value) {
    if (!/^#[A-Za-z0-9_-]*$/.test(value)) throw new Error('refusing link ' + JSON.stringify(value));
    return value;
  }

  const fmt = (n) => Number(n).toLocaleString('en-US');
  const plural = (n, one, many) => fmt(n) + ' ' + (n === 1 ? one : many);

  // --- data ------------------------------------------------------------------------------

  const data = JSON.parse(byId('cqa-data').textContent);
  const SEV = data.severities;
  const docs = data.docs;
  const stories = data.stories;
  const nDocs = docs.id.length;
  const F = data.findings.map((r, i) => ({
    i, exp: r[0], sev: r[1], doc: r[2], reason: r[3], msg: r[4], s: r[5], e: r[6], line: r[7],
    col: r[8], excerpt: r[9], rdoc: r[10], rs: r[11], re: r[12], sugg: r[13], gate: r[14] || '',
    also: r[15] || [],
  }));
  const scopeOf = new Map(data.expectations.map((e) => [e.type, e.scope]));

  const kinds = problemKinds();
  /** Every finding, most important first: its kind's rank, then document and place. */
  const impactOrder = F.map((f) => f.i).sort((x, y) => kinds.rankOf[x] - kinds.rankOf[y]
    || (docs.id[F[x].doc] < docs.id[F[y].doc] ? -1 : docs.id[F[x].doc] > docs.id[F[y].doc] ? 1 : 0)
    || F[x].s - F[y].s);

  /**
   * The findings by expectation and reason, worst kind first (the terminal's order): severity,
   * then how few documents have it. Each kind: {exp, reason, sev, docs, findings, places, first}.
   */
  function problemKinds() {
    const byKey = new Map();
    for (const f of F) {
      const key = f.exp + ':' + f.reason;
      if (!byKey.has(key)) byKey.set(key, { exp: f.exp, reason: f.reason, sev: f.sev, docSet: new Set(), findings: [], places: 0 });
      const k = byKey.get(key);
      k.sev = Math.min(k.sev, f.sev);
      k.docSet.add(f.doc);
      k.findings.push(f.i);
      k.places += 1 + f.also.length;
    }
    const list = [...byKey.values()].sort((x, y) => x.sev - y.sev || x.docSet.size - y.docSet.size
      || (data.expNames[x.exp] < data.expNames[y.exp] ? -1 : 1) || (data.reasons[x.reason] < data.reasons[y.reason] ? -1 : 1));
    const rankOf = new Int32Array(F.length);
    list.forEach((k, n) => { k.rank = String(n).padStart(4, '0'); for (const i of k.findings) rankOf[i] = n; });
    return { list, rankOf };
  }

  const findingsOfDoc = lazyIndex((f) => f.doc);
  const relatedIntoDoc = lazyIndex((f) => f.rdoc);
  const docCounts = countBySeverity();

  /** doc -> its findings, built on first use with a counting sort (fast at 100,000s of rows). */
  function lazyIndex(key) {
    let start = null, order = null;
    return (d) => {
      if (!start) {
        start = new Int32Array(nDocs + 1);
        for (const f of F) if (key(f) >= 0) start[key(f) + 1] += 1;
        for (let k = 0; k < nDocs; k++) start[k + 1] += start[k];
        const fill = start.slice(0, nDocs);
        order = new Int32Array(start[nDocs]);
        for (const f of F) if (key(f) >= 0) order[fill[key(f)]++] = f.i;
      }
      return Array.from(order.subarray(start[d], start[d + 1]), (i) => F[i]);
    };
  }

  function groupBy(items, key) {
    const out = new Map();
    for (const item of items) {
      const k = key(item);
      if (!out.has(k)) out.set(k, []);
      out.get(k).push(item);
    }
    return out;
  }

  function countBySeverity() {
    const counts = new Int32Array(nDocs * SEV.length);
    for (const f of F) counts[f.doc * SEV.length + f.sev] += 1;
    return (doc, sev) => counts[doc * SEV.length + sev];
  }

  const sevName = (f) => SEV[f.sev];
  const reasonLabel = (f) => data.reasons[f.reason].replace(/_/g, ' ');

  // --- shards: per-document and per-story data, inline or in data/*.js --------------------

  const shardCache = new Map();
  const shardWaiters = new Map();

  window.corpusQaShard = function (number, payload) {
    shardCache.set(number, payload);
    const waiter = shardWaiters.get(number);
    if (waiter) {
      shardWaiters.delete(number);
      waiter.resolve(payload);
    }
  };

  function loadShard(number) {
    if (shardCache.has(number)) return Promise.resolve(shardCache.get(number));
    const inline = byId('cqa-shard-' + number);
    if (inline) {
      shardCache.set(number, JSON.parse(inline.textContent));
      return Promise.resolve(shardCache.get(number));
    }
    if (shardWaiters.has(number)) return shardWaiters.get(number).promise;
    const waiter = {};
    waiter.promise = new Promise((resolve, reject) => { waiter.resolve = resolve; waiter.reject = reject; });
    shardWaiters.set(number, waiter);
    const script = document.createElement('script');
    script.src = data.shards.dir + '/shard-' + String(number).padStart(5, '0') + '.js';
    script.onerror = () => {
      shardWaiters.delete(number);
      waiter.reject(new Error('Could not load ' + script.src + ': keep the ' + data.shards.dir +
        '/ folder next to index.html.'));
    };
    document.head.append(script);
    return waiter.promise;
  }

  const docPayload = (d) => loadShard(docs.shard[d]).then((shard) => shard['d' + d]);
  const storyPayload = (s) => loadShard(stories.shard[s]).then((shard) => shard['s' + s]);

  // --- a sortable, paged table -------------------------------------------------------------

  /**
   * columns: [{label, num, sort(id) -> key}], rows() -> ids, row(id) -> <tr>.
   * Sorting is stable; paging keeps the DOM small at any corpus size.
   */
  function pagedTable(opts) {
    const state = { col: opts.sortColumn ?? -1, dir: opts.sortDir ?? 1, page: 0, ids: [], selected: null };
    const heads = opts.columns.map((col, k) => {
      const th = h('th', { class: col.num ? 'num' : null, scope: 'col' });
      if (col.sort) {
        th.append(h('button', { type: 'button', class: 'sort', text: col.label, onclick: () => sortBy(k) }));
      } else {
        th.textContent = col.label;
      }
      return th;
    });
    const tbody = h('tbody');
    const count = h('span', { class: 'result-count' });
    const prev = h('button', { type: 'button', class: 'btn', text: '‹ Previous', onclick: () => go(-1) });
    const next = h('button', { type: 'button', class: 'btn', text: 'Next ›', onclick: () => go(1) });
    const pageLabel = h('span');
    const table = h('table', { id: opts.id }, h('thead', null, h('tr', null, heads)), tbody);
    const root = h('div', null, h('div', { class: 'table-wrap' }, table),
      h('div', { class: 'pager' }, count, h('span', { class: 'spacer' }), prev, pageLabel, next));

    function sortBy(k) {
      state.dir = state.col === k ? -state.dir : (opts.columns[k].firstDir || 1);
      state.col = k;
      refresh(true);
    }
    function sortIds(ids) {
      if (state.col < 0) return ids;
      const key = opts.columns[state.col].sort;
      const dir = state.dir;
      const keyed = ids.map((id) => [key(id), id]);
      keyed.sort((a, b) => (a[0] < b[0] ? -dir : a[0] > b[0] ? dir : 0));
      return keyed.map((pair) => pair[1]);
    }
    function go(delta) {
      state.page += delta;
      draw();
    }
    function refresh(resetPage) {
      state.ids = sortIds(opts.rows());
      if (resetPage) state.page = 0;
      draw();
    }
    function draw() {
      const pages = Math.max(1, Math.ceil(state.ids.length / PAGE_SIZE));
      state.page = Math.min(Math.max(0, state.page), pages - 1);
      const start = state.page * PAGE_SIZE;
      const shown = state.ids.slice(start, start + PAGE_SIZE);
      tbody.replaceChildren(...shown.map((id) => {
        const tr = opts.row(id);
        if (id === state.selected) tr.classList.add('is-selected');
        return tr;
      }));
      if (!shown.length) {
        tbody.append(h('tr', null, h('td', { class: 'empty', colspan: opts.columns.length, text: opts.empty })));
      }
      heads.forEach((th, k) => {
        if (opts.columns[k].sort) th.setAttribute('aria-sort', k === state.col ? (state.dir > 0 ? 'ascending' : 'descending') : 'none');
      });
      count.textContent = state.ids.length
        ? 'Showing ' + fmt(start + 1) + '–' + fmt(start + shown.length) + ' of ' + plural(state.ids.length, opts.noun[0], opts.noun[1])
        : 'No ' + opts.noun[1];
      pageLabel.textContent = 'Page ' + fmt(state.page + 1) + ' of ' + fmt(pages);
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
    }
    function select(id) {
      state.selected = id;
      const at = state.ids.indexOf(id);
      if (at >= 0) state.page = Math.floor(at / PAGE_SIZE);
      draw();
    }
    return { root, refresh, select, ids: () => state.ids };
  }

  // --- findings table with filters -----------------------------------------------------------

  const filters = { exp: -1, sev: -1, reason: -1, doc: '', q: '' };
  let searchIndex = null;

  function searchText(f) {
    if (!searchIndex) {
      searchIndex = F.map((g) => [g.msg, g.excerpt, data.reasons[g.reason], data.expNames[g.exp],
        docs.id[g.doc], docs.path[g.doc], g.sugg || ''].join('\n').toLowerCase());
    }
    return searchIndex[f.i];
  }

  const docIdToIndex = new Map(docs.id.map((id, i) => [id, i]));

  function docMatcher(value) {
    const wanted = value.trim();
    if (!wanted) return null;
    if (docIdToIndex.has(wanted)) {
      const exact = docIdToIndex.get(wanted);
      return (d) => d === exact;
    }
    const needle = wanted.toLowerCase();
    return (d) => docs.id[d].toLowerCase().includes(needle) || docs.path[d].toLowerCase().includes(needle);
  }

  function filteredFindings() {
    const q = filters.q.trim().toLowerCase();
    const docOk = docMatcher(filters.doc);
    const out = [];
    for (const i of impactOrder) {
      const f = F[i];
      if (filters.exp >= 0 && f.exp !== filters.exp) continue;
      if (filters.sev >= 0 && f.sev !== filters.sev) continue;
      if (filters.reason >= 0 && f.reason !== filters.reason) continue;
      if (docOk && !docOk(f.doc)) continue;
      if (q && !searchText(f).includes(q)) continue;
      out.push(f.i);
    }
    return out;
  }

  function countsOf(key) {
    const counts = new Map();
    for (const f of F) counts.set(f[key], (counts.get(f[key]) || 0) + 1);
    return counts;
  }

  function selectControl(id, label, allLabel, names, counts, onchange) {
    const select = h('select', { id, onchange: () => onchange(Number(select.value)) },
      h('option', { value: '-1', text: allLabel }),
      names.map((name, k) => h('option', { value: String(k), text: name + ' (' + fmt(counts.get(k) || 0) + ')' })));
    return { select, label: h('label', null, label, select) };
  }

  const findingsTable = pagedTable({
    id: 'findings-table',
    noun: ['finding', 'findings'],
    empty: 'No findings match these filters.',
    sortColumn: -1,  // by impact: the order of the Problems view
    columns: [
      { label: 'Severity', sort: (i) => F[i].sev },
      { label: 'Document', sort: (i) => docs.id[F[i].doc] },
      { label: 'Where', sort: (i) => F[i].line * 1e7 + F[i].col },
      { label: 'Expectation', sort: (i) => data.expNames[F[i].exp] },
      { label: 'Reason', sort: (i) => data.reasons[F[i].reason] },
      { label: 'Message', sort: (i) => F[i].msg },
    ],
    rows: filteredFindings,
    row: findingRow,
  });

  function findingRow(i) {
    const f = F[i];
    return h('tr', { class: 'clickable', dataset: { finding: String(i) }, onclick: (event) => {
      if (!event.target.closest('a')) navigate('#finding-' + i);
    } },
    h('td', null, h('span', { class: 'badge sev-' + sevName(f), text: sevName(f) }),
      f.gate ? h('span', { class: 'badge gate', text: f.gate === 'known' ? 'in baseline' : f.gate }) : null),
    h('td', { class: 'doc' }, h('a', { href: '#finding-' + i, text: docs.id[f.doc] })),
    h('td', { class: 'nowrap mono', text: f.line + ':' + f.col }),
    h('td', null, h('span', { class: 'exp-name', text: data.expNames[f.exp] })),
    h('td', null, h('span', { class: 'reason', text: data.reasons[f.reason] })),
    h('td', { class: 'message' }, f.msg, f.excerpt ? h('span', { class: 'excerpt', text: f.excerpt }) : null));
  }

  // Filters live in the URL after the view: #findings?reason=mojibake, #finding-12?exp=…
  // (names, not indices, so a link still works on another run's report).
  let filtersChanged = () => {};

  function filterQuery() {
    const p = new URLSearchParams();
    if (filters.exp >= 0) p.set('exp', data.expNames[filters.exp]);
    if (filters.sev >= 0) p.set('sev', SEV[filters.sev]);
    if (filters.reason >= 0) p.set('reason', data.reasons[filters.reason]);
    if (filters.doc) p.set('doc', filters.doc);
    if (filters.q) p.set('q', filters.q);
    const text = p.toString();
    return text ? '?' + text : '';
  }

  function hashView() { return location.hash.split('?')[0] || '#findings'; }

  function keepFiltersInUrl() {
    const wanted = hashView() + filterQuery();
    if (location.hash !== wanted) history.replaceState(null, '', wanted);
  }

  /** Filters from the URL; true when it named any. */
  function readFilters() {
    const at = location.hash.indexOf('?');
    if (at < 0) return false;
    const p = new URLSearchParams(location.hash.slice(at + 1));
    const index = (names, value) => (value === null ? -1 : names.indexOf(value));
    Object.assign(filters, { exp: index(data.expNames, p.get('exp')), sev: index(SEV, p.get('sev')),
      reason: index(data.reasons, p.get('reason')), doc: p.get('doc') || '', q: p.get('q') || '' });
    return true;
  }

  function buildFindingsUi() {
    const expCounts = countsOf('exp'), sevCounts = countsOf('sev'), reasonCounts = countsOf('reason');
    const exp = selectControl('filter-expectation', 'Expectation', 'All expectations', data.expNames, expCounts,
      (v) => { filters.exp = v; findingsTable.refresh(true); filtersChanged(); });
    const sev = selectControl('filter-severity', 'Severity', 'All severities', SEV, sevCounts,
      (v) => { filters.sev = v; findingsTable.refresh(true); filtersChanged(); });
    const reason = selectControl('filter-reason', 'Reason', 'All reasons', data.reasons, reasonCounts,
      (v) => { filters.reason = v; findingsTable.refresh(true); filtersChanged(); });
    const docInput = h('input', { id: 'filter-document', type: 'search', placeholder: 'id or part of it',
      list: nDocs <= 2000 ? 'document-ids' : null, oninput: debounce(() => { filters.doc = docInput.value; findingsTable.refresh(true); filtersChanged(); }) });
    const search = h('input', { id: 'filter-search', type: 'search', placeholder: 'message, excerpt, reason…',
      oninput: debounce(() => { filters.q = search.value; findingsTable.refresh(true); filtersChanged(); }) });
    const reset = h('button', { type: 'button', class: 'btn', id: 'filter-reset', text: 'Reset', onclick: () => {
      Object.assign(filters, { exp: -1, sev: -1, reason: -1, doc: '', q: '' });
      exp.select.value = sev.select.value = reason.select.value = '-1';
      docInput.value = search.value = '';
      findingsTable.refresh(true);
      filtersChanged();
    } });
    const datalist = nDocs <= 2000 ? h('datalist', { id: 'document-ids' }, docs.id.map((id) => h('option', { value: id }))) : null;
    byId('findings-ui').replaceChildren(
      h('div', { class: 'controls' }, exp.label, sev.label, reason.label,
        h('label', null, 'Document', docInput), h('label', null, 'Search', search), reset, datalist),
      findingsTable.root);
    findingsTable.refresh(true);
    const apply = () => {
      exp.select.value = String(filters.exp); sev.select.value = String(filters.sev);
      reason.select.value = String(filters.reason);
      docInput.value = filters.doc; search.value = filters.q;
      findingsTable.refresh(true);
      keepFiltersInUrl();
    };
    filtersChanged = keepFiltersInUrl;
    return {
      setExpectation(name) { filters.exp = data.expNames.indexOf(name); apply(); },
      setSeverity(name) { filters.sev = SEV.indexOf(name); apply(); },
      setKind(e, r) { Object.assign(filters, { exp: e, sev: -1, reason: r, doc: '', q: '' }); apply(); },
      fromUrl() { if (readFilters()) apply(); },
    };
  }

  // --- problems: each kind once, worst first ----------------------------------------------

  const EXAMPLES = 2;

  function buildProblemsUi(ui) {
    const list = kinds.list;
    if (!list.length) {
      byId('problems-ui').replaceChildren(h('p', { class: 'muted', id: 'no-problems', text: 'No findings: every expectation passed on every document.' }));
      return;
    }
    const rows = list.map((k, n) => {
      const examples = [];
      const seen = new Set();
      for (const i of impactOrder) {
        if (kinds.rankOf[i] !== n || seen.has(F[i].doc)) continue;
        seen.add(F[i].doc);
        examples.push(h('a', { href: '#finding-' + i, class: 'ident', text: docs.id[F[i].doc] }));
        if (examples.length === EXAMPLES) break;
      }
      const more = k.docSet.size - examples.length;
      return h('tr', { class: 'clickable sev-row-' + SEV[k.sev], dataset: { expectation: data.expNames[k.exp], reason: data.reasons[k.reason] },
        onclick: (event) => {
          if (event.target.closest('a')) return;
          ui.setKind(k.exp, k.reason);
          byId('findings').scrollIntoView({ block: 'start' });
        } },
      h('td', null, h('span', { class: 'badge sev-' + SEV[k.sev], text: SEV[k.sev] })),
      h('td', null, h('span', { class: 'reason', text: data.reasons[k.reason] })),
      h('td', null, h('span', { class: 'exp-name', text: data.expNames[k.exp] })),
      h('td', { class: 'num', text: fmt(k.docSet.size) }),
      h('td', { class: 'num', text: fmt(k.findings.length) }),
      h('td', { class: 'num', text: fmt(k.places) }),
      h('td', { class: 'doc' }, examples.map((a, j) => [j ? ', ' : '', a]),
        more > 0 ? h('span', { class: 'muted', text: ' +' + fmt(more) + ' more' }) : null));
    });
    byId('problems-ui').replaceChildren(h('div', { class: 'table-wrap' }, h('table', { id: 'problems-table' },
      h('thead', null, h('tr', null, ['Severity', 'Reason', 'Expectation', 'Documents', 'Findings', 'Places', 'Examples'].map((t, j) =>
        h('th', { class: j >= 3 && j <= 5 ? 'num' : null, scope: 'col', text: t })))),
      h('tbody', null, rows))));
  }

  function debounce(fn) {
    let timer = 0;
    return () => { clearTimeout(timer); timer = setTimeout(fn, 150); };
  }

  // --- documents and stories tables ------------------------------------------------------------

  function buildDocumentsUi() {
    let needle = '';
    const table = pagedTable({
      id: 'documents-table', noun: ['document', 'documents'], empty: 'No documents match.',
      sortColumn: 3 + SEV.length, sortDir: 1,  // the worst kinds of problem first, not the most findings
      columns: [
        { label: 'Document', sort: (d) => docs.id[d] },
        { label: 'Path', sort: (d) => docs.path[d] },
        { label: 'Story', sort: (d) => (docs.story[d] >= 0 ? stories.id[docs.story[d]] : '') },
        ...SEV.map((name, k) => ({ label: name, num: true, firstDir: -1, sort: (d) => docCounts(d, k) })),
        { label: 'Problems', sort: (d) => problemsOf(d).map((k) => kinds.list[k].rank).join(',') },
      ],
      rows: () => {
        const out = [];
        for (let d = 0; d < nDocs; d++) {
          if (!needle || docs.id[d].toLowerCase().includes(needle) || docs.path[d].toLowerCase().includes(needle)) out.push(d);
        }
        return out;
      },
      row: (d) => h('tr', { class: 'clickable', onclick: (event) => { if (!event.target.closest('a')) navigate('#doc-' + d); } },
        h('td', { class: 'doc' }, h('a', { href: '#doc-' + d, text: docs.id[d] })),
        h('td', { class: 'doc muted', text: docs.path[d] }),
        h('td', { class: 'doc' }, docs.story[d] >= 0 ? h('a', { href: '#story-' + docs.story[d], text: stories.id[docs.story[d]] }) : '—'),
        SEV.map((name, k) => h('td', { class: 'num', text: fmt(docCounts(d, k)) })),
        h('td', { class: 'kinds' }, problemsOf(d).map((k) => h('span', {
          class: 'reason kind sev-' + SEV[kinds.list[k].sev], title: data.expNames[kinds.list[k].exp], text: data.reasons[kinds.list[k].reason] })))),
    });
    const search = h('input', { type: 'search', id: 'documents-search', placeholder: 'id or path',
      oninput: debounce(() => { needle = search.value.trim().toLowerCase(); table.refresh(true); }) });
    byId('documents-ui').replaceChildren(h('div', { class: 'controls' }, h('label', null, 'Find a document', search)), table.root);
    table.refresh(true);
    return table;
  }

  /** The kinds of problem in document ``d`` (indices into kinds.list), worst first. */
  function problemsOf(d) {
    return [...new Set(findingsOfDoc(d).map((f) => kinds.rankOf[f.i]))].sort((x, y) => x - y);
  }

  function storyFindings(s) {
    const members = new Set(stories.docs[s]);
    return F.filter((f) => members.has(f.doc) && scopeOf.get(data.expNames[f.exp]) === 'story');
  }

  function buildStoriesUi() {
    const nStories = stories.id.length;
    const table = pagedTable({
      id: 'stories-table', noun: ['story', 'stories'], empty: 'No stories: no documents were grouped as versions.',
      columns: [
        { label: 'Story', sort: (s) => stories.id[s] },
        { label: 'Versions', num: true, sort: (s) => stories.docs[s].length },
        { label: 'Documents' },
        { label: 'Figures compared', num: true, sort: (s) => stories.figures[s][0] },
        { label: 'Figures differing', num: true, firstDir: -1, sort: (s) => stories.figures[s][1] },
      ],
      rows: () => Array.from({ length: nStories }, (_, s) => s),
      row: (s) => h('tr', { class: 'clickable', onclick: (event) => { if (!event.target.closest('a')) navigate('#story-' + s); } },
        h('td', { class: 'doc' }, h('a', { href: '#story-' + s, text: stories.id[s] })),
        h('td', { class: 'num', text: fmt(stories.docs[s].length) }),
        h('td', { class: 'doc muted', text: stories.docs[s].slice(0, 4).map((d) => docs.id[d]).join(', ') + (stories.docs[s].length > 4 ? ', …' : '') }),
        h('td', { class: 'num', text: fmt(stories.figures[s][0]) }),
        h('td', { class: 'num' + (stories.figures[s][1] ? ' bad' : ''), text: fmt(stories.figures[s][1]) })),
    });
    byId('stories-ui').replaceChildren(table.root);
    table.refresh(true);
    return table;
  }

  // --- text with marks ---------------------------------------------------------------------

  /**
   * Render text[from:to] with items [{s, e, key, cls, title}] (absolute offsets) marked.
   * Overlapping items split the text into segments; each segment lists every item over it.
   * Zero-length finding items become small "pins". Returns {node, marks: Map(key -> [elements])}.
   */
  function markedText(text, from, to, items, onMark) {
    const inRange = items.filter((it) => it.e >= from && it.s <= to)
      .map((it) => ({ ...it, s: Math.max(from, Math.min(it.s, to)), e: Math.max(from, Math.min(it.e, to)) }));
    const cuts = [...new Set([from, to, ...inRange.flatMap((it) => [it.s, it.e])])].sort((a, b) => a - b);
    const starts = groupBy(inRange.filter((it) => it.e > it.s), (it) => it.s);
    const pins = groupBy(inRange.filter((it) => it.e === it.s && it.pin), (it) => it.s);
    const marks = new Map();
    const node = document.createDocumentFragment();
    const remember = (key, el) => { if (!marks.has(key)) marks.set(key, []); marks.get(key).push(el); };
    const active = new Set();
    for (let k = 0; k < cuts.length; k++) {
      const p = cuts[k];
      for (const it of pins.get(p) || []) {
        const pin = h('span', { class: 'pin ' + it.cls, title: it.title, text: it.pin, onclick: () => onMark([it]) });
        remember(it.key, pin);
        node.append(pin);
      }
      if (k === cuts.length - 1) break;
      for (const it of active) if (it.e <= p) active.delete(it);
      for (const it of starts.get(p) || []) active.add(it);
      const piece = text.slice(p, cuts[k + 1]);
      if (!active.size) { node.append(piece); continue; }
      const over = [...active];
      const span = h('span', { class: segmentClass(over), title: over.map((it) => it.title).filter(Boolean).slice(0, 3).join('\n') || null,
        text: piece, onclick: onMark ? () => onMark(over) : null });
      for (const it of over) remember(it.key, span);
      node.append(span);
    }
    return { node, marks };
  }

  function segmentClass(over) {
    const findings = over.filter((it) => it.rank !== undefined);
    if (findings.length) {
      const worst = findings.reduce((a, b) => (b.rank < a.rank ? b : a));
      return 'mk ' + worst.cls;
    }
    return [...new Set(over.map((it) => it.cls))].join(' ');
  }

  function lineCol(text, offset) {
    let line = 1, last = -1;
    for (let k = text.indexOf('\n'); k >= 0 && k < offset; k = text.indexOf('\n', k + 1)) { line += 1; last = k; }
    return line + ':' + (offset - last);
  }

  // --- the detail panel: one document or one story -------------------------------------------

  const detail = byId('detail');
  let view = null;          // what the detail panel shows: {kind, id, activate(key, scroll)}
  let renderToken = 0;

  function showLoading(what) {
    detail.hidden = false;
    detail.replaceChildren(h('p', { class: 'muted', text: 'Loading ' + what + '…' }));
  }

  function showError(err) {
    console.error(err);
    detail.hidden = false;
    detail.replaceChildren(h('p', { class: 'error-box', text: String(err && err.message ? err.message : err) }));
  }

  async function showDoc(d, focusKey) {
    if (!view || view.kind !== 'doc' || view.id !== d) {
      const token = ++renderToken;
      showLoading('document');
      let payload;
      try { payload = await docPayload(d); } catch (err) { showError(err); return; }
      if (token !== renderToken) return;
      view = renderDoc(d, payload);
    }
    if (focusKey) view.activate(focusKey, true);
    else detail.scrollIntoView({ block: 'start' });
  }

  function renderDoc(d, payload) {
    const text = typeof payload.t === 'string' ? payload.t : null;
    const own = findingsOfDoc(d);
    const wide = text === null ? [] : own.filter((f) => isWide(f, text));
    const items = text === null ? [] : docItems(d, payload, own.filter((f) => !wide.includes(f)));
    const state = { kind: 'doc', id: d, lit: [], marks: new Map(), cards: new Map(), notes: new Map() };
    const textPanel = h('div', { class: 'text-panel', id: 'doc-text-panel' });
    const onMark = (over) => cycle(state, over);
    if (text !== null) {
      if (wide.length) textPanel.append(h('div', { class: 'wide-notes' }, wide.map((f) => wideNote(state, f))));
      const rendered = markedText(text, 0, text.length, items, onMark);
      state.marks = rendered.marks;
      textPanel.append(h('div', { class: 'doc-text', id: 'doc-text', lang: 'und' }, rendered.node));
    } else {
      textPanel.append(h('p', { class: 'no-text', text: 'This document passed every expectation and is not one of ' +
        'several versions of a story, so its text is not included in the report. Its file: ' + docs.path[d] }));
    }
    const list = h('ol', { class: 'finding-list', id: 'doc-findings' },
      own.slice().sort((a, b) => a.s - b.s || a.sev - b.sev).map((f) => findingCard(state, f)));
    if (!own.length) list.append(h('li', { class: 'empty', text: 'No findings in this document.' }));
    detail.hidden = false;
    detail.replaceChildren(docHeader(d), metadataTable(state, payload.m || {}, text),
      h('div', { class: 'doc-grid' }, h('div', null, h('h3', null, 'Text'), textPanel),
        h('div', null, h('h3', null, 'Findings (' + fmt(own.length) + ')'), list)));
    state.textPanel = textPanel;
    state.activate = (key, scroll) => activate(state, key, scroll);
    return state;
  }

  function isWide(f, text) {
    return text.length >= WIDE_MIN_CHARS && f.e - f.s >= WIDE_SHARE * text.length;
  }

  function docItems(d, payload, own) {
    const items = own.map((f) => ({ s: f.s, e: f.e, key: 'f' + f.i, cls: 'sev-' + sevName(f), rank: f.sev,
      title: data.expNames[f.exp] + ' [' + data.reasons[f.reason] + '] ' + f.msg, pin: reasonLabel(f) }));
    // A finding of several occurrences marks each one, under the finding's key.
    for (const f of own) {
      for (const [s, e, msg] of f.also) {
        items.push({ s, e, key: 'f' + f.i, cls: 'sev-' + sevName(f), rank: f.sev,
          title: data.expNames[f.exp] + ' [' + data.reasons[f.reason] + '] ' + msg, pin: reasonLabel(f) });
      }
    }
    for (const f of relatedIntoDoc(d)) {
      items.push({ s: f.rs, e: f.re, key: 'r' + f.i, cls: 'mk meta', title: 'related to a finding in ' + docs.id[f.doc] + ': ' + f.msg });
    }
    for (const [field, meta] of Object.entries(payload.m || {})) {
      if (meta && Array.isArray(meta.span)) {
        items.push({ s: meta.span[0], e: meta.span[1], key: 'm:' + field, cls: 'mk meta', title: 'metadata: ' + field });
      }
    }
    return items;
  }

  function docHeader(d) {
    const s = docs.story[d];
    return h('div', { class: 'detail-head' },
      h('div', null, h('h2', null, 'Document ', h('code', { id: 'detail-doc-id', text: docs.id[d] })),
        h('div', { class: 'detail-sub' }, docs.path[d] + (docs.line[d] > 1 ? ':' + docs.line[d] : ''),
          s >= 0 ? [' · story ', h('a', { href: '#story-' + s, text: stories.id[s] }),
            ' (' + plural(stories.docs[s].length, 'version', 'versions') + ')'] : null)),
      h('div', { class: 'counts' }, SEV.map((name, k) => h('span', {
        class: 'count sev-' + name + (docCounts(d, k) ? '' : ' zero') }, h('b', { text: fmt(docCounts(d, k)) }),
        ' ' + (docCounts(d, k) === 1 || name === 'info' ? name : name + 's')))));
  }

  const ORIGINS = { field: 'record field', front_matter: 'front matter', header: 'header', text: 'text' };

  function metadataTable(state, metadata, text) {
    const fields = Object.keys(metadata);
    if (!fields.length) return h('p', { class: 'muted', text: 'No metadata was found for this document.' });
    return h('div', null, h('h3', null, 'Metadata'), h('div', { class: 'table-wrap' }, h('table', { class: 'meta-table', id: 'doc-metadata' },
      h('thead', null, h('tr', null, ['Field', 'Value', 'Origin', 'Where', 'Suggestion'].map((t) => h('th', { text: t })))),
      h('tbody', null, fields.map((field) => metadataRow(state, field, metadata[field] || {}, text))))));
  }

  function metadataRow(state, field, meta, text) {
    const missing = meta.value === null || meta.value === undefined || meta.value === '';
    const span = Array.isArray(meta.span) ? meta.span : null;
    let where = '—';
    if (span && text !== null) {
      where = h('button', { type: 'button', class: 'linkish', text: 'line ' + lineCol(text, span[0]).replace(':', ', col '),
        onclick: () => activate(state, 'm:' + field, true) });
    } else if (span) {
      where = 'characters ' + span[0] + '–' + span[1];
    }
    return h('tr', { class: missing ? 'meta-missing' : null },
      h('td', { text: field }),
      h('td', null, missing ? h('span', { class: 'missing', text: 'missing' }) : String(meta.value)),
      h('td', { class: 'origin', text: meta.origin ? (ORIGINS[meta.origin] || String(meta.origin)) : '—' }),
      h('td', null, where),
      h('td', null, meta.suggestion ? h('span', { class: 'suggestion', text: String(meta.suggestion) }) : '—'));
  }

  function findingCard(state, f) {
    const card = h('li', { class: 'finding-card sev-' + sevName(f), dataset: { finding: String(f.i) },
      onclick: (event) => { if (!event.target.closest('a')) navigate('#finding-' + f.i); } },
      h('div', { class: 'top' }, h('span', { class: 'badge sev-' + sevName(f), text: sevName(f) }),
        h('span', { class: 'reason', text: data.reasons[f.reason] }),
        f.also.length ? h('span', { class: 'occurrences', text: '×' + fmt(f.also.length + 1) + ' places' }) : null,
        h('span', { class: 'where', text: f.line + ':' + f.col })),
      h('div', { class: 'exp-name', text: data.expNames[f.exp] }),
      h('div', { class: 'message', text: f.msg }),
      f.sugg ? h('div', { class: 'extra' }, 'Suggestion: ', h('span', { class: 'suggestion', text: f.sugg })) : null,
      f.rdoc >= 0 ? h('div', { class: 'extra' }, 'Related: ', h('a', { href: '#related-' + f.i, text: docs.id[f.rdoc] })) : null);
    state.cards.set('f' + f.i, card);
    return card;
  }

  function wideNote(state, f) {
    const note = h('div', { class: 'wide-note', onclick: () => navigate('#finding-' + f.i) },
      h('span', { class: 'badge sev-' + sevName(f), text: sevName(f) }),
      h('span', null, h('b', { text: 'Whole document — ' + reasonLabel(f) + ': ' }), f.msg));
    state.notes.set('f' + f.i, note);
    return note;
  }

  /** Clicking marked text: select the next finding over it (cycling through overlaps). */
  function cycle(state, over) {
    const keys = over.map((it) => it.key);
    const findingKeys = keys.filter((k) => k[0] === 'f');
    const pool = findingKeys.length ? findingKeys : keys;
    const at = pool.indexOf(state.activeKey);
    const key = pool[(at + 1) % pool.length];
    if (key[0] === 'f') navigate('#finding-' + key.slice(1));
    else activate(state, key, false);
  }

  function activate(state, key, scroll) {
    for (const el of state.lit) el.classList.remove('is-active');
    const marks = state.marks.get(key) || [];
    const card = state.cards ? state.cards.get(key) : null;
    const note = state.notes ? state.notes.get(key) : null;
    state.lit = [...marks, card, note, note ? state.textPanel : null].filter(Boolean);
    for (const el of state.lit) el.classList.add('is-active');
    state.activeKey = key;
    if (!scroll) return;
    if (card) card.scrollIntoView({ block: 'nearest' });
    const target = marks[0] || note || card;
    if (target) target.scrollIntoView(SCROLL);
  }

  // --- story view ------------------------------------------------------------------------------

  async function showStory(s) {
    const token = ++renderToken;
    showLoading('story');
    try {
      const payload = await storyPayload(s);
      if (token !== renderToken) return;
      view = await renderStory(s, payload, 0, token);
      if (view) detail.scrollIntoView({ block: 'start' });
    } catch (err) {
      showError(err);
    }
  }

  async function renderStory(s, payload, pairIndex, token) {
    const pair = payload.pairs[pairIndex];
    const pairBox = h('div', { id: 'story-pair' });
    const state = { kind: 'story', id: s, lit: [], marks: new Map(), activate: (key) => activate(state, key, true) };
    const header = h('div', { class: 'detail-head' }, h('div', null,
      h('h2', null, 'Story ', h('code', { id: 'detail-story-id', text: stories.id[s] })),
      h('div', { class: 'detail-sub' }, plural(stories.docs[s].length, 'version', 'versions') + ': ',
        stories.docs[s].map((d, k) => [k ? ', ' : '', h('a', { href: '#doc-' + d, text: docs.id[d] })]))));
    const tabs = payload.pairs.length > 1 ? h('div', { class: 'pair-tabs' }, payload.pairs.map((p, k) => h('button', {
      type: 'button', class: 'btn' + (k === pairIndex ? ' is-on' : ''), text: p.docs.map((d) => docs.id[d]).join(' ⟷ '),
      onclick: () => renderStory(s, payload, k, renderToken).then((v) => { if (v) view = v; }) }))) : null;
    if (!pair) {
      detail.replaceChildren(header, h('p', { class: 'muted', text: 'This story has a single version; nothing to compare.' }));
      return state;
    }
    const [a, b] = await Promise.all(pair.docs.map((d) => (d >= 0 ? docPayload(d) : Promise.resolve({ m: {} }))));
    if (token !== renderToken) return null;
    pairBox.append(metadataComparison(pair.docs, a.m || {}, b.m || {}),
      figureTable(state, pair), sideBySide(state, pair, a.t, b.t));
    // Differences only: on by default when the versions differ anywhere.
    const differs = pairBox.querySelector('#story-figures tr.fig-row-bad, #story-sbs tr.changed, #story-sbs tr.only, #story-metadata tr.meta-diff');
    const only = h('input', { type: 'checkbox', id: 'differences-only', checked: Boolean(differs),
      onchange: () => pairBox.classList.toggle('diff-only', only.checked) });
    pairBox.classList.toggle('diff-only', only.checked);
    pairBox.prepend(h('label', { class: 'diff-toggle' }, only, ' Differences only',
      h('span', { class: 'muted', text: differs ? ' (hides the figures, sentences and fields that are the same)' : ' (these versions do not differ)' })));
    detail.hidden = false;
    detail.replaceChildren(header, tabs || '', pairBox, storyFindingList(s));
    return state;
  }

  const FIELD_ORDER = ['date', 'source', 'attribution', 'author', 'title', 'licence', 'license', 'url'];

  function metadataComparison(pairDocs, ma, mb) {
    const fields = [...new Set([...Object.keys(ma), ...Object.keys(mb)])].sort((x, y) => {
      const ix = FIELD_ORDER.indexOf(x), iy = FIELD_ORDER.indexOf(y);
      return (ix < 0 ? 99 : ix) - (iy < 0 ? 99 : iy) || (x < y ? -1 : x > y ? 1 : 0);
    });
    const value = (m, f) => (m[f] && m[f].value !== null && m[f].value !== undefined && m[f].value !== '' ? String(m[f].value) : null);
    const cell = (m, f, differs) => {
      const v = f === 'date' && value(m, f) !== null ? readableDate(value(m, f)) : value(m, f);
      return h('td', { class: differs ? 'diffcell' : null }, v === null ? h('span', { class: 'missing', text: 'missing' }) : v,
        m[f] && m[f].origin ? h('div', { class: 'origin', text: ORIGINS[m[f].origin] || String(m[f].origin) }) : null,
        m[f] && m[f].suggestion && v === null ? h('div', { class: 'suggestion', text: 'suggestion: ' + m[f].suggestion }) : null);
    };
    const rows = fields.map((f) => {
      const va = value(ma, f), vb = value(mb, f);
      const differs = va !== vb;
      return h('tr', { class: differs ? 'meta-diff' : null }, h('td', { text: f }), cell(ma, f, differs), cell(mb, f, differs),
        h('td', null, differs ? h('span', { class: 'bad', text: va === null || vb === null ? 'missing in one' : 'differs' })
          : va === null ? h('span', { class: 'missing', text: 'missing in both' }) : h('span', { class: 'ok', text: 'same' })));
    });
    return h('div', null, h('h3', null, 'Metadata across versions'), h('div', { class: 'table-wrap' }, h('table', { id: 'story-metadata' },
      h('thead', null, h('tr', null, h('th', { text: 'Field' }), pairDocs.map((d) => h('th', { class: 'ident', text: docs.id[d] })), h('th', { text: 'Compared' }))),
      h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: 4, class: 'empty', text: 'No metadata in either version.' }))))));
  }

  const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
    'September', 'October', 'November', 'December'];

  /** ISO dates with parts left out, as a reader says them: --12-22 → 22 December. */
  function readableDate(value) {
    let m = /^--(\d\d)-(\d\d)$/.exec(value);
    if (m && MONTH_NAMES[Number(m[1]) - 1]) return Number(m[2]) + ' ' + MONTH_NAMES[Number(m[1]) - 1];
    m = /^(\d{4})-(\d\d)$/.exec(value);
    if (m && MONTH_NAMES[Number(m[2]) - 1]) return MONTH_NAMES[Number(m[2]) - 1] + ' ' + m[1];
    m = /^---(\d\d)$/.exec(value);
    if (m) return 'day ' + Number(m[1]);
    return value;
  }

  // A figure in only one version (an added sentence) was not compared: not a difference.
  function figureDiffers(g) { return g.status ? g.status === 'changed' : !g.match; }

  function figureTable(state, pair) {
    const figures = pair.figures || [];
    const bad = figureDiffers;
    const differing = figures.filter(bad).length;
    const compared = figures.filter((g) => g.a && g.b).length;
    const side = (g) => (g ? [h('td', { text: g.text }), h('td', { class: 'mono', text: readableDate(String(g.value)) })]
      : [h('td', { class: 'muted', text: '—' }), h('td', { class: 'muted', text: '—' })]);
    const result = (g) => {
      if (bad(g)) return h('span', { class: 'bad', text: !g.a || !g.b ? '✗ only in one version' : '✗ differs' });
      if (!g.a || !g.b) return h('span', { class: 'muted', text: 'only in one version (not compared)' });
      return h('span', { class: 'ok', text: '✓ same' });
    };
    const rows = figures.map((g, k) => h('tr', { class: 'clickable' + (bad(g) ? ' fig-row-bad' : ' fig-row-same'), onclick: () => activate(state, 'g' + k, true) },
      h('td', { class: 'num', text: String(k + 1) }), side(g.a), side(g.b), h('td', null, result(g))));
    return h('div', null, h('h3', null, 'Figures (' + fmt(compared) + ' compared, ' + fmt(differing) + ' differing)'),
      h('div', { class: 'table-wrap' }, h('table', { id: 'story-figures' },
        h('thead', null, h('tr', null, ['#', docs.id[pair.docs[0]], 'value', docs.id[pair.docs[1]], 'value', 'Result'].map((t, k) => h('th', { class: k === 0 ? 'num' : (k === 1 || k === 3 ? 'ident' : null), text: t })))),
        h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: 6, class: 'empty', text: 'No figures were compared.' }))))));
  }

  function storyFindingList(s) {
    const list = storyFindings(s);
    if (!list.length) return h('div', null, h('h3', null, 'Story findings'), h('p', { class: 'muted', text: 'No story-level findings.' }));
    return h('div', null, h('h3', null, 'Story findings (' + fmt(list.length) + ')'), h('div', { class: 'table-wrap' }, h('table', { id: 'story-findings' },
      h('tbody', null, list.map((f) => findingRow(f.i))))));
  }

  // --- side by side ------------------------------------------------------------------------------

  const TOKEN = /[\p{L}\p{M}\p{N}]+(?:['’.,-][\p{L}\p{M}\p{N}]+)*/gu;
  const stripMarks = (t) => t.normalize('NFD').replace(/\p{M}+/gu, '');

  function tokens(text, from, to) {
    const out = [];
    for (const m of text.slice(from, to).matchAll(TOKEN)) {
      out.push({ s: from + m.index, e: from + m.index + m[0].length, raw: m[0], bare: stripMarks(m[0]) });
    }
    return out;
  }

  /** Word-level differences of two aligned sentences: diacritics-only changes and other changes. */
  function wordDiff(textA, spanA, textB, spanB) {
    const ta = tokens(textA, spanA[0], spanA[1]), tb = tokens(textB, spanB[0], spanB[1]);
    const n = ta.length, m = tb.length;
    if (n * m > MAX_DIFF_CELLS) return { a: [], b: [], dia: 0, chg: 0, skipped: true };
    const keyA = ta.map((t) => t.bare.toLowerCase()), keyB = tb.map((t) => t.bare.toLowerCase());
    const L = new Int32Array((n + 1) * (m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        L[i * (m + 1) + j] = keyA[i] === keyB[j] ? L[(i + 1) * (m + 1) + j + 1] + 1
          : Math.max(L[(i + 1) * (m + 1) + j], L[i * (m + 1) + j + 1]);
      }
    }
    const out = { a: [], b: [], dia: 0, chg: 0 };
    let i = 0, j = 0;
    while (i < n && j < m) {
      if (keyA[i] === keyB[j]) {
        if (ta[i].raw !== tb[j].raw) {
          const cls = ta[i].bare === tb[j].bare ? 'd-dia' : 'd-chg';
          out[cls === 'd-dia' ? 'dia' : 'chg'] += 1;
          out.a.push({ s: ta[i].s, e: ta[i].e, cls, key: 'w', title: cls === 'd-dia' ? 'diacritics differ: ' + ta[i].raw + ' / ' + tb[j].raw : null });
          out.b.push({ s: tb[j].s, e: tb[j].e, cls, key: 'w', title: cls === 'd-dia' ? 'diacritics differ: ' + ta[i].raw + ' / ' + tb[j].raw : null });
        }
        i += 1; j += 1;
      } else if (L[(i + 1) * (m + 1) + j] >= L[i * (m + 1) + j + 1]) {
        out.a.push({ s: ta[i].s, e: ta[i].e, cls: 'd-chg', key: 'w' }); out.chg += 1; i += 1;
      } else {
        out.b.push({ s: tb[j].s, e: tb[j].e, cls: 'd-chg', key: 'w' }); out.chg += 1; j += 1;
      }
    }
    for (; i < n; i++) { out.a.push({ s: ta[i].s, e: ta[i].e, cls: 'd-chg', key: 'w' }); out.chg += 1; }
    for (; j < m; j++) { out.b.push({ s: tb[j].s, e: tb[j].e, cls: 'd-chg', key: 'w' }); out.chg += 1; }
    return out;
  }

  /** Rows of the side-by-side view: aligned pairs, with unaligned stretches of either text between. */
  function sideBySideRows(textA, textB, aligned) {
    const rows = [];
    const sorted = aligned.slice().sort((x, y) => x[0][0] - y[0][0]);
    let pa = 0, pb = 0;
    const gap = (text, s, e) => {
      while (s < e && /\s/.test(text[s])) s += 1;
      while (e > s && /\s/.test(text[e - 1])) e -= 1;
      return e > s ? [s, e] : null;
    };
    for (const [sa, sb] of sorted) {
      const ga = sa[0] >= pa ? gap(textA, pa, sa[0]) : null;
      const gb = sb[0] >= pb ? gap(textB, pb, sb[0]) : null;
      if (ga) rows.push({ a: ga, b: null });
      if (gb) rows.push({ a: null, b: gb });
      rows.push({ a: sa, b: sb });
      pa = Math.max(pa, sa[1]);
      pb = Math.max(pb, sb[1]);
    }
    const ta = gap(textA, pa, textA.length), tb = gap(textB, pb, textB.length);
    if (ta) rows.push({ a: ta, b: null });
    if (tb) rows.push({ a: null, b: tb });
    return rows;
  }

  function sideBySide(state, pair, textA, textB) {
    const box = h('div', null, h('h3', null, 'Versions side by side'));
    if (typeof textA !== 'string' || typeof textB !== 'string') {
      box.append(h('p', { class: 'muted', text: 'The texts of these versions are not in the report.' }));
      return box;
    }
    const figItems = (k) => (pair.figures || []).flatMap((g, n) => {
      const side = k === 0 ? g.a : g.b;
      return side && Array.isArray(side.span) ? [{ s: side.span[0], e: side.span[1], key: 'g' + n,
        cls: 'fig' + (figureDiffers(g) ? ' fig-bad' : ''), title: 'figure: ' + side.text + ' = ' + side.value + (figureDiffers(g) ? ' (differs)' : '') }] : [];
    });
    const figsA = figItems(0), figsB = figItems(1);
    const totals = { aligned: 0, onlyA: 0, onlyB: 0, dia: 0, chg: 0, same: 0 };
    const rows = sideBySideRows(textA, textB, pair.aligned || []).map((row) => {
      if (row.a && row.b) return alignedRow(state, textA, textB, row, figsA, figsB, totals);
      const present = row.a ? { text: textA, span: row.a, figs: figsA } : { text: textB, span: row.b, figs: figsB };
      const cell = h('td', { class: 'present' }, adopt(state, markedText(present.text, present.span[0], present.span[1], present.figs, null)));
      const absent = h('td', { class: 'absent', text: 'not in this version' });
      totals[row.a ? 'onlyA' : 'onlyB'] += 1;
      return h('tr', { class: 'only ' + (row.a ? 'only-a' : 'only-b') }, row.a ? [cell, absent] : [absent, cell]);
    });
    box.append(
      h('div', { class: 'stats-line', id: 'story-stats' }, h('b', { text: fmt(totals.aligned) }), ' aligned sentences (', fmt(totals.same), ' identical) · ',
        h('b', { text: fmt(totals.onlyA) }), ' passages only in ' + docs.id[pair.docs[0]] + ' · ',
        h('b', { text: fmt(totals.onlyB) }), ' only in ' + docs.id[pair.docs[1]] + ' · ',
        h('b', { text: fmt(totals.dia) }), ' words differing only in diacritics · ',
        h('b', { text: fmt(totals.chg) }), ' other changed words'),
      legend(),
      h('div', { class: 'table-wrap' }, h('table', { class: 'sbs', id: 'story-sbs' },
        h('thead', null, h('tr', null, pair.docs.map((d) => h('th', null, h('a', { href: '#doc-' + d, text: docs.id[d] }))))),
        h('tbody', null, rows))));
    return box;
  }

  function alignedRow(state, textA, textB, row, figsA, figsB, totals) {
    const diff = wordDiff(textA, row.a, textB, row.b);
    totals.aligned += 1; totals.dia += diff.dia; totals.chg += diff.chg;
    const same = textA.slice(row.a[0], row.a[1]) === textB.slice(row.b[0], row.b[1]);
    if (same) totals.same += 1;
    const cellA = h('td', { title: diff.skipped ? 'too long to compare word by word' : null },
      adopt(state, markedText(textA, row.a[0], row.a[1], [...diff.a, ...figsA], null)));
    const cellB = h('td', null, adopt(state, markedText(textB, row.b[0], row.b[1], [...diff.b, ...figsB], null)));
    return h('tr', { class: same ? 'same' : 'changed' }, cellA, cellB);
  }

  /** Keep a rendered fragment's marks in the view state (so figure rows can light them up). */
  function adopt(state, rendered) {
    for (const [key, els] of rendered.marks) {
      if (!state.marks.has(key)) state.marks.set(key, []);
      state.marks.get(key).push(...els);
    }
    return rendered.node;
  }

  function legend() {
    const sample = (cls, text, label) => h('span', null, h('span', { class: 'sample ' + cls, text }), label);
    return h('div', { class: 'legend' },
      sample('fig', '10,000', 'figure, same in both'), sample('fig fig-bad', '12', 'figure that differs'),
      sample('d-dia', 'López', 'diacritics differ'), sample('d-chg', 'word', 'other change'),
      h('span', null, 'hatched cell: passage missing from that version'));
  }

  // --- routing ---------------------------------------------------------------------------------

  let documentsTable = null;

  function navigate(hash) {
    hash += filterQuery();
    if (location.hash === hash) route();
    else location.hash = hash;
  }

  function route() {
    const m = /^#(finding|related|doc|story)-(\d+)(?:\?.*)?$/.exec(location.hash);
    if (!m) return;
    const n = Number(m[2]);
    if (m[1] === 'finding' && F[n]) {
      findingsTable.select(n);
      showDoc(F[n].doc, 'f' + n);
    } else if (m[1] === 'related' && F[n] && F[n].rdoc >= 0) {
      showDoc(F[n].rdoc, 'r' + n);
    } else if (m[1] === 'doc' && n < nDocs) {
      documentsTable.select(n);
      showDoc(n, null);
    } else if (m[1] === 'story' && n < stories.id.length) {
      showStory(n);
    }
  }

  function wireSummary(ui) {
    for (const button of document.querySelectorAll('[data-filter-expectation]')) {
      button.addEventListener('click', () => {
        ui.setExpectation(button.dataset.filterExpectation);
        byId('findings').scrollIntoView({ block: 'start' });
      });
    }
    for (const badge of document.querySelectorAll('#counts [data-severity]')) {
      if (badge.dataset.count === '0') continue;
      badge.classList.add('clickable');
      badge.addEventListener('click', () => {
        ui.setSeverity(badge.dataset.severity);
        byId('findings').scrollIntoView({ block: 'start' });
      });
    }
  }

  function start() {
    const ui = buildFindingsUi();
    documentsTable = buildDocumentsUi();
    buildStoriesUi();
    buildProblemsUi(ui);
    wireSummary(ui);
    ui.fromUrl();
    window.addEventListener('hashchange', () => { ui.fromUrl(); route(); });
    route();
    document.documentElement.dataset.readyMs = String(Math.round(performance.now()));
    document.documentElement.dataset.ready = 'true';
  }

  try {
    start();
  } catch (err) {
    const box = byId('app-error');
    box.hidden = false;
    box.textContent = 'The report could not be rendered: ' + (err && err.message ? err.message : String(err));
    throw err;
  }
})();
