// The Berth console: a client of berthd's API. Plain calls go to /api/<path> (the Docker API and
// /berth/v1), streams to /ws/api/<path> (one WebSocket per stream; each message is a piece of the
// API's answer). No build step: this file is served as it is.
'use strict';

const $ = (sel, el = document) => el.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c ?? ''));
  return e;
};
const state = { view: null, containers: [], stats: new Map(), detail: null, charts: null, term: null };
window.berthConsole = state; // for tests and the curious: what the page holds

// ---- API ----
async function api(method, path, body) {
  const r = await fetch('/api' + path, {
    method, credentials: 'same-origin',
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (r.status === 401) { location.replace('/'); throw new Error('not logged in'); }
  if (!r.ok) {
    let msg = r.status + ' ' + r.statusText;
    try { msg = (await r.json()).message || msg; } catch (_) { /* not JSON */ }
    const err = new Error(msg); err.status = r.status; throw err;
  }
  if (r.status === 204) return null;
  return (r.headers.get('content-type') || '').includes('json') ? r.json() : r.text();
}

function stream(path, { onMessage, onClose, method } = {}) {
  const q = method ? (path.includes('?') ? '&' : '?') + 'method=' + method : '';
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/api' + path + q);
  ws.binaryType = 'arraybuffer';
  ws.onmessage = (e) => onMessage(new Uint8Array(e.data));
  ws.onclose = (e) => { if (e.code >= 4000) showError(e.reason || 'stream closed: ' + e.code); onClose?.(e); };
  return ws;
}

// JSON lines (stats, events) arrive in pieces: cut them at newlines.
function jsonLines(onValue) {
  const dec = new TextDecoder();
  let buf = '';
  return (bytes) => {
    buf += dec.decode(bytes, { stream: true });
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line) { try { onValue(JSON.parse(line)); } catch (_) { /* a partial line */ } }
    }
  };
}

function showError(msg) {
  const e = $('#error');
  e.textContent = msg; e.hidden = false;
  clearTimeout(showError.t); showError.t = setTimeout(() => { e.hidden = true; }, 8000);
}

async function act(fn) {
  try { await fn(); } catch (e) { showError(e.message); }
}

const fmtBytes = (n) => {
  if (n == null || isNaN(n)) return '';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB']; let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + ' ' + u[i];
};
// Hex IDs are cut to 12 characters as docker prints them; names (volume IDs are names) stay whole.
const shortId = (id) => { const h = (id || '').replace(/^sha256:/, ''); return /^[0-9a-f]{64}$/.test(h) ? h.slice(0, 12) : h; };
const ago = (secs) => secs ? new Date(secs * 1000).toLocaleString() : '';
const button = (label, onclick, cls = '') => el('button', { type: 'button', class: cls, onclick, 'data-action': label.toLowerCase() }, label);

// ---- views ----
const views = {
  containers: { show: loadContainers, hide: () => { stopAllStats(); closeDetail(); } },
  pods: { show: loadPods },
  vms: { show: loadVms, hide: closeVmConsole },
  images: { show: loadImages },
  networks: { show: loadNetworks },
  volumes: { show: loadVolumes },
  events: { show: renderEvents },
  bench: { show: loadBench },
};

function route() {
  const name = (location.hash.slice(1) || 'containers');
  const next = views[name] ? name : 'containers';
  if (state.view && state.view !== next) views[state.view].hide?.();
  state.view = next;
  for (const s of document.querySelectorAll('.view')) s.hidden = s.id !== 'view-' + next;
  for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.view === next);
  act(views[next].show);
}

// ---- containers ----
async function loadContainers() {
  state.containers = await api('GET', '/containers/json?all=1');
  const body = $('#containers tbody');
  const rows = state.containers.map((c) => {
    const name = (c.Names?.[0] || '').replace(/^\//, '') || shortId(c.Id);
    const running = c.State === 'running' || c.State === 'paused';
    return el('tr', { dataset: { id: c.Id, name, state: c.State }, class: state.detail === c.Id ? 'selected' : '' },
      el('td', {}, name), el('td', {}, c.Image),
      el('td', {}, el('span', { class: 'state ' + c.State }, c.State)), el('td', {}, c.Status),
      el('td', { class: 'num cpu' }), el('td', { class: 'num mem' }),
      el('td', {},
        running ? button('Stop', () => act(() => containerAction(c.Id, 'stop'))) : button('Start', () => act(() => containerAction(c.Id, 'start'))),
        button('Restart', () => act(() => containerAction(c.Id, 'restart'))),
        button('Remove', () => act(() => removeContainer(c.Id, name)), 'danger'),
        button('Details', () => act(() => openDetail(c.Id, name)))));
  });
  body.replaceChildren(...rows);
  if (!rows.length) body.append(el('tr', {}, el('td', { colspan: 7, class: 'empty' }, 'No containers.')));
  watchRows();
  state.readyAt ??= performance.now(); // the first page is usable: for the load-time check
  document.body.dataset.ready = '1';
}

async function containerAction(id, action) {
  await api('POST', `/containers/${id}/${action}`);
  await loadContainers();
}

async function removeContainer(id, name) {
  if (!confirm(`Remove container ${name}? A running one is killed first.`)) return;
  await api('DELETE', `/containers/${id}?force=1`);
  if (state.detail === id) closeDetail();
  await loadContainers();
}

// Live figures cost berthd one cgroup reading each, so they are spent where someone looks and
// within a budget: visible running rows are read one-shot in turn, one request at a time, each
// row at most every ROW_PERIOD and all rows together at most READS_PER_SECOND (50 rows: each every
// 12.5 s; 5 rows: each every 2 s). The container whose charts are open has a 1-second stats
// stream. Nothing is read while the page is hidden or another tab is shown.
const ROW_PERIOD = 2000;
const READS_PER_SECOND = 4;
state.polled = new Set();
state.rowPrev = new Map();
let rowObserver;
function watchRows() {
  rowObserver?.disconnect();
  const visible = new Set();
  rowObserver = new IntersectionObserver((entries) => {
    for (const e of entries) {
      const id = e.target.dataset.id;
      if (e.isIntersecting) visible.add(id); else visible.delete(id);
    }
    syncStats(visible);
  });
  for (const tr of document.querySelectorAll('#containers tbody tr[data-id]')) rowObserver.observe(tr);
  watchRows.visible = visible;
}

function syncStats(visible) {
  const looking = state.view === 'containers' && document.visibilityState === 'visible';
  state.polled = new Set(looking ? state.containers.filter((c) => c.State === 'running' && visible.has(c.Id)).map((c) => c.Id) : []);
  const wanted = looking && state.detail ? new Set([state.detail]) : new Set();
  for (const [id, s] of state.stats) if (!wanted.has(id)) { s.ws.close(); state.stats.delete(id); }
  for (const id of wanted) if (!state.stats.has(id)) startStats(id);
}

function stopAllStats() {
  for (const s of state.stats.values()) s.ws.close();
  state.stats.clear();
  state.polled = new Set();
}

document.addEventListener('visibilitychange', () => syncStats(watchRows.visible || new Set()));

let turn = 0;
async function pollRows() {
  const ids = [...state.polled].filter((id) => !state.stats.has(id)); // the open one streams already
  if (ids.length) {
    const id = ids[turn++ % ids.length];
    try {
      const s = await api('GET', `/containers/${id}/stats?stream=0&one-shot=1`);
      const p = sample(s);
      const prev = state.rowPrev.get(id);
      state.rowPrev.set(id, p);
      if (prev && p.sysCpu > prev.sysCpu) showRow(id, { ...p, cpu: ((p.total - prev.total) / (p.sysCpu - prev.sysCpu)) * p.cpus * 100 });
    } catch (_) { /* gone meanwhile: the next list shows it */ }
  }
  setTimeout(pollRows, ids.length ? Math.max(ROW_PERIOD / ids.length, 1000 / READS_PER_SECOND) : 500);
}

function startStats(id) {
  const entry = { ws: null };
  entry.ws = stream(`/containers/${id}/stats?stream=1`, {
    onMessage: jsonLines((s) => onStats(id, s)),
    onClose: () => { if (state.stats.get(id) === entry) state.stats.delete(id); },
  });
  state.stats.set(id, entry);
}

function sample(s) {
  const cpu = s.cpu_stats || {}, pre = s.precpu_stats || {};
  const cpuDelta = (cpu.cpu_usage?.total_usage || 0) - (pre.cpu_usage?.total_usage || 0);
  const sysDelta = (cpu.system_cpu_usage || 0) - (pre.system_cpu_usage || 0);
  const cpus = cpu.online_cpus || cpu.cpu_usage?.percpu_usage?.length || 1;
  const m = s.memory_stats || {};
  const cache = m.stats?.inactive_file ?? m.stats?.total_inactive_file ?? 0;
  let rx = 0, tx = 0;
  for (const n of Object.values(s.networks || {})) { rx += n.rx_bytes || 0; tx += n.tx_bytes || 0; }
  return {
    t: Date.parse(s.read) / 1000 || Date.now() / 1000,
    total: cpu.cpu_usage?.total_usage || 0, sysCpu: cpu.system_cpu_usage || 0, cpus,
    cpu: sysDelta > 0 && cpuDelta >= 0 ? (cpuDelta / sysDelta) * cpus * 100 : 0,
    mem: Math.max(0, (m.usage || 0) - cache), limit: m.limit, rx, tx,
  };
}

function onStats(id, s) {
  const p = sample(s);
  showRow(id, p);
  if (state.detail === id && state.charts) pushChart(p);
}

function showRow(id, p) {
  const tr = document.querySelector(`#containers tr[data-id="${id}"]`);
  if (tr) {
    $('.cpu', tr).textContent = p.cpu.toFixed(1) + ' %';
    $('.mem', tr).textContent = fmtBytes(p.mem);
  }
}

// ---- one container: charts and logs ----
async function openDetail(id, name) {
  closeDetail();
  state.detail = id;
  const d = $('#container-detail');
  $('.name', d).textContent = name;
  d.hidden = false;
  for (const tr of document.querySelectorAll('#containers tbody tr')) tr.classList.toggle('selected', tr.dataset.id === id);
  state.charts = makeCharts();
  syncStats(watchRows.visible || new Set());
  const info = await api('GET', `/containers/${id}/json`);
  const logs = $('#logs');
  logs.textContent = '';
  $('.follow', d).textContent = info.State?.Running ? '(following)' : '';
  state.logs = stream(`/containers/${id}/logs?follow=1&stdout=1&stderr=1&tail=200`, {
    onMessage: info.Config?.Tty ? textTo(logs) : dockerFrames(textTo(logs)),
  });
  $('.close', d).onclick = closeDetail;
}

function closeDetail() {
  state.logs?.close(); state.logs = null;
  for (const c of Object.values(state.charts || {})) c.plot.destroy();
  state.charts = null;
  const was = state.detail;
  state.detail = null;
  $('#container-detail').hidden = true;
  if (was) syncStats(watchRows.visible || new Set());
}

function textTo(pre) {
  const dec = new TextDecoder();
  return (bytes) => {
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.append(dec.decode(bytes, { stream: true }));
    if (pre.textContent.length > 200000) pre.textContent = pre.textContent.slice(-100000);
    if (atEnd) pre.scrollTop = pre.scrollHeight;
  };
}

// Docker's multiplexed stream without a TTY: an 8-byte header (stream, 0, 0, 0, big-endian length) per frame.
function dockerFrames(onPayload) {
  let buf = new Uint8Array(0);
  return (bytes) => {
    const next = new Uint8Array(buf.length + bytes.length);
    next.set(buf); next.set(bytes, buf.length); buf = next;
    while (buf.length >= 8) {
      const len = new DataView(buf.buffer, buf.byteOffset + 4, 4).getUint32(0);
      if (buf.length < 8 + len) break;
      onPayload(buf.subarray(8, 8 + len));
      buf = buf.slice(8 + len);
    }
  };
}

const WINDOW = 60;
function makeCharts() {
  const mk = (id, series) => {
    const data = [[], ...series.map(() => [])];
    const box = document.getElementById(id);
    box.replaceChildren();
    const plot = new uPlot({
      width: box.clientWidth || 340, height: (box.clientHeight || 170) - 10, legend: { show: series.length > 1 },
      scales: { x: { time: true } },
      series: [{}, ...series.map(([label, stroke]) => ({ label, stroke, width: 1.5, points: { show: false } }))],
      axes: [{ space: 60 }, { size: 50 }],
    }, data, box);
    return { plot, data, box };
  };
  return {
    cpu: mk('chart-cpu', [['CPU %', '#1f6feb']]),
    mem: mk('chart-mem', [['MiB', '#8250df']]),
    net: mk('chart-net', [['rx', '#1a7f37'], ['tx', '#d4a72c']]),
    last: null,
  };
}

function pushChart(p) {
  const c = state.charts;
  const add = (chart, values) => {
    chart.data[0].push(p.t);
    values.forEach((v, i) => chart.data[i + 1].push(v));
    if (chart.data[0].length > WINDOW) chart.data.forEach((a) => a.shift());
    chart.plot.setData(chart.data);
    chart.box.dataset.points = chart.data[0].length;
  };
  add(c.cpu, [p.cpu]);
  add(c.mem, [p.mem / 1048576]);
  const dt = c.last ? p.t - c.last.t : 0;
  add(c.net, dt > 0 ? [(p.rx - c.last.rx) / dt / 1024, (p.tx - c.last.tx) / dt / 1024] : [0, 0]);
  c.last = p;
}

// ---- pods: CRI containers carry io.kubernetes.pod.* labels ----
async function loadPods() {
  const all = await api('GET', '/containers/json?all=1');
  const pods = new Map();
  for (const c of all) {
    const l = c.Labels || {};
    const name = l['io.kubernetes.pod.name'];
    if (!name) continue;
    const key = (l['io.kubernetes.pod.namespace'] || 'default') + '/' + name;
    if (!pods.has(key)) pods.set(key, { key, uid: l['io.kubernetes.pod.uid'], containers: [] });
    pods.get(key).containers.push(c);
  }
  const box = $('#pods');
  if (!pods.size) {
    box.replaceChildren(el('p', { class: 'empty' }, 'No pods. Containers made through the CRI (kubelet, crictl) carry io.kubernetes.pod.* labels and are grouped here.'));
    return;
  }
  box.replaceChildren(...[...pods.values()].map((p) => el('div', { class: 'pod', dataset: { pod: p.key } },
    el('h3', {}, p.key, ' ', el('small', {}, p.uid ? 'uid ' + p.uid : '')),
    el('table', {}, el('tbody', {}, ...p.containers.map((c) => el('tr', {},
      el('td', {}, c.Labels['io.kubernetes.container.name'] || (c.Names?.[0] || '').replace(/^\//, '')),
      el('td', {}, c.Image), el('td', {}, el('span', { class: 'state ' + c.State }, c.State)), el('td', {}, c.Status))))))));
}

// ---- VMs ----
async function loadVms() {
  const vms = await api('GET', '/berth/v1/vms');
  const body = $('#vms tbody');
  body.replaceChildren(...vms.map((v) => {
    const running = v.State === 'running' || v.State === 'paused';
    return el('tr', { dataset: { id: v.Id, name: v.Name, state: v.State } },
      el('td', {}, v.Name), el('td', {}, el('span', { class: 'state ' + v.State }, v.State)), el('td', {}, v.Accel || v.Config?.Accel || ''),
      el('td', { class: 'num' }, v.Config?.Cpus ?? ''), el('td', { class: 'num' }, fmtBytes(v.Config?.Memory)),
      el('td', {},
        running ? button('Stop', () => act(() => vmAction(v.Id, 'stop'))) : button('Start', () => act(() => vmAction(v.Id, 'start'))),
        button('Restart', () => act(() => vmAction(v.Id, 'restart'))),
        button('Remove', () => act(async () => {
          if (!confirm(`Remove VM ${v.Name} and its disk?`)) return;
          await api('DELETE', `/berth/v1/vms/${v.Id}?force=1`); await loadVms();
        }), 'danger'),
        running ? button('Console', () => act(() => openVmConsole(v.Id, v.Name))) : ''));
  }));
  if (!vms.length) body.append(el('tr', {}, el('td', { colspan: 6, class: 'empty' }, 'No VMs. Create one with berth vm create.')));
}

async function vmAction(id, action) {
  await api('POST', `/berth/v1/vms/${id}/${action}`);
  await loadVms();
}

// xterm.js is loaded only when a console opens: the first page stays small.
function loadScript(src) {
  return new Promise((ok, fail) => document.head.append(el('script', { src, onload: ok, onerror: () => fail(new Error('cannot load ' + src)) })));
}
function loadCss(href) { document.head.append(el('link', { rel: 'stylesheet', href })); }
let xtermLoaded;
function loadXterm() {
  xtermLoaded ??= (async () => {
    loadCss('/webjars/xterm/4.9.0/css/xterm.css');
    await loadScript('/webjars/xterm/4.9.0/lib/xterm.js');
    await loadScript('/webjars/xterm-addon-fit/0.3.0/lib/xterm-addon-fit.js');
  })();
  return xtermLoaded;
}

async function openVmConsole(id, name) {
  closeVmConsole();
  const d = $('#vm-detail');
  $('.name', d).textContent = name;
  $('.status', d).textContent = 'connecting…';
  d.hidden = false;
  $('.close', d).onclick = closeVmConsole;
  await loadXterm();
  const term = new Terminal({ convertEol: false, fontSize: 13, scrollback: 2000 });
  const fit = new FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open($('#terminal'));
  fit.fit();
  const enc = new TextEncoder();
  const ws = stream(`/berth/v1/vms/${id}/console`, {
    method: 'POST',
    onMessage: (bytes) => term.write(bytes),
    onClose: () => { $('.status', d).textContent = '(disconnected)'; },
  });
  ws.onopen = () => { $('.status', d).textContent = '(connected: type to talk to the guest)'; d.dataset.connected = '1'; };
  term.onData((text) => { if (ws.readyState === WebSocket.OPEN) ws.send(enc.encode(text)); });
  term.focus();
  state.term = term;
  state.vmConsole = ws;
}

function closeVmConsole() {
  state.vmConsole?.close(); state.vmConsole = null;
  state.term?.dispose(); state.term = null;
  const d = $('#vm-detail');
  d.hidden = true; delete d.dataset.connected;
}

// ---- images, networks, volumes ----
async function loadImages() {
  const images = await api('GET', '/images/json');
  $('#images tbody').replaceChildren(...images.map((i) => el('tr', { dataset: { id: i.Id } },
    el('td', {}, (i.RepoTags || []).join(', ') || '<none>'), el('td', {}, shortId(i.Id)),
    el('td', { class: 'num' }, fmtBytes(i.Size)), el('td', {}, ago(i.Created)),
    el('td', {}, button('Remove', () => act(async () => {
      if (!confirm('Remove image ' + ((i.RepoTags || [])[0] || shortId(i.Id)) + '?')) return;
      await api('DELETE', `/images/${encodeURIComponent(i.Id)}`); await loadImages();
    }), 'danger')))));
}

async function loadNetworks() {
  const nets = await api('GET', '/networks');
  $('#networks tbody').replaceChildren(...nets.map((n) => el('tr', { dataset: { id: n.Id } },
    el('td', {}, n.Name), el('td', {}, shortId(n.Id)), el('td', {}, n.Driver),
    el('td', {}, (n.IPAM?.Config || []).map((c) => c.Subnet).filter(Boolean).join(', ')),
    el('td', {}, ['bridge', 'host', 'none'].includes(n.Name) ? '' : button('Remove', () => act(async () => {
      if (!confirm('Remove network ' + n.Name + '?')) return;
      await api('DELETE', `/networks/${n.Id}`); await loadNetworks();
    }), 'danger')))));
}

async function loadVolumes() {
  const v = await api('GET', '/volumes');
  $('#volumes tbody').replaceChildren(...(v.Volumes || []).map((vol) => el('tr', { dataset: { name: vol.Name } },
    el('td', {}, vol.Name), el('td', {}, vol.Driver), el('td', {}, vol.Mountpoint),
    el('td', {}, button('Remove', () => act(async () => {
      if (!confirm('Remove volume ' + vol.Name + '?')) return;
      await api('DELETE', `/volumes/${encodeURIComponent(vol.Name)}`); await loadVolumes();
    }), 'danger')))));
}

// ---- events: one stream for the page's life; they also refresh the open view ----
const events = [];
function eventRow(e) {
  const a = e.Actor || {};
  const what = a.Attributes?.name || shortId(a.ID || e.id);
  return el('tr', {}, el('td', {}, new Date((e.timeNano ? e.timeNano / 1e6 : e.time * 1000)).toLocaleTimeString()),
    el('td', {}, e.Type || e.type), el('td', {}, e.Action || e.status), el('td', {}, what));
}
function renderEvents() {
  $('#events tbody').replaceChildren(...events.slice().reverse().map(eventRow));
}
let refreshTimer;
const pageOpened = Date.now() / 1000;
function onEvent(e) {
  events.push(e);
  if (events.length > 500) events.shift();
  if (state.view === 'events') $('#events tbody').prepend(eventRow(e));
  if ((e.time || 0) < pageOpened - 1) return; // the last hour's replay, not news
  const type = e.Type || e.type;
  const refresh = { container: ['containers', 'pods'], image: ['images'], network: ['networks'], volume: ['volumes'], vm: ['vms'] }[type] || [];
  if (refresh.includes(state.view)) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => act(views[state.view].show), 250);
  }
}
// The last hour berthd still holds first (it keeps the latest 1024 events), then live ones.
function followEvents(since = Math.floor(pageOpened) - 3600) {
  stream('/events?since=' + since, { onMessage: jsonLines(onEvent), onClose: (e) => { if (e.code < 4000) setTimeout(() => followEvents(Math.floor(Date.now() / 1000)), 3000); } });
}

// ---- bench reports (berth bench) ----
async function loadBench() {
  const box = $('#bench-list');
  const frame = $('#bench-report');
  let list;
  try {
    list = await api('GET', '/berth/v1/bench');
  } catch (e) {
    if (e.status === 404) {
      frame.hidden = true;
      box.replaceChildren(el('p', { class: 'empty', id: 'bench-missing' }, 'This berthd has no bench reports API (/berth/v1/bench). Bench reports appear here once berthd serves it and `berth bench` has run.'));
      return;
    }
    throw e;
  }
  if (!list.length) {
    box.replaceChildren(el('p', { class: 'empty' }, 'No bench reports yet: run `berth bench --quick`.'));
    return;
  }
  const id = (r) => r.Id || r.id || r.ID;
  box.replaceChildren(el('table', { id: 'bench' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Report'), el('th', {}, 'Created'), el('th', {}, 'Measured'), el('th', {}, 'Duration'), el('th', {}))),
    el('tbody', {}, ...list.map((r) => el('tr', { dataset: { id: id(r) } },
      el('td', {}, shortId(id(r))), el('td', {}, r.Created || r.created || ''),
      el('td', {}, (r.Measured || r.Kinds || []).join(', ')),
      el('td', { class: 'num' }, r.DurationSeconds != null ? Math.round(r.DurationSeconds) + ' s' : ''),
      el('td', {}, button('Show', () => {
        frame.src = `/api/berth/v1/bench/${encodeURIComponent(id(r))}/report.html`;
        frame.hidden = false;
      })))))));
}

// ---- start ----
async function start() {
  window.addEventListener('hashchange', route);
  route();
  followEvents();
  pollRows();
  act(async () => {
    const v = await api('GET', '/version');
    $('#server').textContent = `${v.Version ? 'Berth ' + v.Version : ''} · API ${v.ApiVersion} · ${location.host}`;
  });
}
start();
