// The operator console. Plain JavaScript, no build step, nothing from elsewhere.
// Every piece of data comes from the operator API with "Authorization: Bearer <token>"; the token
// lives in sessionStorage (gone when the tab closes). Nothing is ever written with innerHTML:
// event fields, OpenIDs and XML come from the internet and are shown as text (textContent).
'use strict';

(function () {
  const TOKEN = 'hubAdminToken';
  const REFRESH_MS = 5000;
  const WAITING = ['pending', 'claimed'];

  const $ = (id) => document.getElementById(id);
  let refreshTimer = null;
  let eventPoll = null;
  let cursors = [];          // the before= of each page shown; [] is the newest page
  let nextCursor = null;
  let shownEvent = null;
  let shownCampaign = null;  // the scene whose chart is open
  let campaignsAccount = null;

  class Unauthorized extends Error {}

  async function api(method, path) {
    const token = sessionStorage.getItem(TOKEN);
    if (!token) {
      throw new Unauthorized('not signed in');
    }
    const response = await fetch(path, {
      method,
      headers: { 'Authorization': 'Bearer ' + token, 'Accept': 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
    });
    if (response.status === 401) {
      signOut('The token is no longer accepted. Sign in again.');
      throw new Unauthorized('401');
    }
    const text = await response.text();
    if (!response.ok) {
      throw new Error(response.status + ' ' + text);
    }
    return { body: text ? JSON.parse(text) : null, headers: response.headers, status: response.status };
  }

  /** An image of the operator API, drawn on a canvas: an <img> could not send the Bearer token. */
  async function drawImage(canvas, path) {
    const token = sessionStorage.getItem(TOKEN);
    if (!token) {
      throw new Unauthorized('not signed in');
    }
    const response = await fetch(path, {
      headers: { 'Authorization': 'Bearer ' + token },
      cache: 'no-store',
      credentials: 'omit',
    });
    if (response.status === 401) {
      signOut('The token is no longer accepted. Sign in again.');
      throw new Unauthorized('401');
    }
    if (!response.ok) {
      throw new Error(response.status + ' ' + await response.text());
    }
    const bitmap = await createImageBitmap(await response.blob());
    const context = canvas.getContext('2d');
    context.imageSmoothingEnabled = false; // a QR code's modules stay sharp
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    canvas.dataset.drawn = 'true';
  }

  // --- building blocks, all text ---------------------------------------------------------------

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    if (className) {
      node.className = className;
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  function show(value) {
    if (value === null || value === undefined) {
      return '';
    }
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }

  // One time format everywhere: the operator's local time with its zone; the ISO instant in a tooltip.
  const TIME_FORMAT = new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    hour12: false, timeZoneName: 'short',
  });
  const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

  function when(value) {
    if (!value) {
      return '';
    }
    const date = new Date(value);
    return isNaN(date) ? String(value) : TIME_FORMAT.format(date);
  }

  /** An element showing a time as when() does, with the ISO instant as its tooltip. */
  function timeEl(tag, value, prefix) {
    const node = el(tag, value ? (prefix || '') + when(value) : '');
    node.classList.add('time');
    if (value) {
      const date = new Date(value);
      node.title = isNaN(date) ? String(value) : date.toISOString();
    }
    return node;
  }

  function isInstant(value) {
    return typeof value === 'string' && ISO_INSTANT.test(value);
  }

  function age(seconds) {
    if (seconds === null || seconds === undefined) {
      return 'none waiting';
    }
    if (seconds < 90) return seconds + ' s';
    if (seconds < 5400) return Math.round(seconds / 60) + ' min';
    if (seconds < 172800) return (seconds / 3600).toFixed(1) + ' h';
    return (seconds / 86400).toFixed(1) + ' days';
  }

  function statusBadge(status) {
    return el('span', status, 'status status-' + status);
  }

  /** A table of every key of a row, as it comes: columns added to the table later show up too. */
  function keyValues(table, row, skip) {
    const body = table.tBodies[0];
    clear(body);
    Object.keys(row).forEach((key) => {
      if (skip && skip.includes(key)) {
        return;
      }
      const tr = el('tr');
      tr.dataset.column = key;
      tr.appendChild(el('th', key));
      if (key === 'nextAttemptAt' && row.status === 'dead') {
        tr.appendChild(el('td', 'none: the event is dead (replay it to try again)', 'hint'));
      } else {
        tr.appendChild(isInstant(row[key]) ? timeEl('td', row[key]) : el('td', show(row[key])));
      }
      body.appendChild(tr);
    });
  }

  function eventLabel(row) {
    return row.event !== null && row.event !== undefined ? row.event : 'message:' + row.msgType;
  }

  function reportError(target, error) {
    if (!(error instanceof Unauthorized)) {
      target.textContent = 'Failed: ' + error.message;
      target.className = 'outcome error';
    }
  }

  function outcome(target, text) {
    target.textContent = text;
    target.className = 'outcome ok';
  }

  // --- sign-in ---------------------------------------------------------------------------------

  async function signIn(event) {
    event.preventDefault();
    const token = $('token').value.trim();
    $('sign-in-error').textContent = '';
    if (!token) {
      return;
    }
    sessionStorage.setItem(TOKEN, token);
    try {
      await api('GET', '/admin/summary');   // the token is checked before anything is shown
    } catch (error) {
      sessionStorage.removeItem(TOKEN);
      $('sign-in-error').textContent = error instanceof Unauthorized
        ? 'That token is not accepted.' : 'Could not reach the operator API: ' + error.message;
      return;
    }
    $('token').value = '';
    enter();
  }

  function enter() {
    $('sign-in').hidden = true;
    $('console').hidden = false;
    $('sign-out').hidden = false;
    selectTab('overview');
    refresh();
    refreshTimer = setInterval(refresh, REFRESH_MS);
    loadEvents();
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN);
    clearInterval(refreshTimer);
    clearInterval(eventPoll);
    refreshTimer = null;
    eventPoll = null;
    // take every piece of data off the page, not just out of sight
    ['status-cards', 'event-types', 'reload-problems', 'reload-running', 'event-id', 'event-error', 'event-fields',
      'event-xml', 'events-outcome', 'event-outcome'].forEach((id) => clear($(id)));
    ['c-account', 'c-account-info', 'campaigns-outcome', 'campaigns-period', 'campaign-name', 'campaign-period', 'campaign-chart',
      'menu-same', 'menu-outcome', 'menu-configured', 'menu-wechat', 'live-window'].forEach((id) => clear($(id)));
    LIVE_CHARTS.forEach((chart) => clear($(chart.id)));
    $('campaign').hidden = true;
    $('publish-menu').disabled = true;
    shownCampaign = null;
    campaignsAccount = null;
    ['by-event', 'events', 'event-columns', 'event-history', 'follower', 'follower-events', 'route-files', 'campaigns'].forEach((id) => {
      Array.from($(id).tBodies).forEach(clear);
    });
    clear($('by-event').tHead);
    $('event').hidden = true;
    shownEvent = null;
    $('console').hidden = true;
    $('sign-out').hidden = true;
    $('sign-in').hidden = false;
    $('sign-in-error').textContent = message || '';
  }

  // --- tabs ------------------------------------------------------------------------------------

  function selectTab(name) {
    document.querySelectorAll('#tabs button').forEach((button) => {
      button.classList.toggle('active', button.dataset.tab === name);
    });
    document.querySelectorAll('.tab').forEach((tab) => {
      tab.hidden = tab.id !== 'tab-' + name;
    });
    if (name === 'routes') {
      loadRoutes();
    }
    if (name === 'campaigns') {
      loadCampaignsTab();
    }
  }

  // --- overview: summary and figures -----------------------------------------------------------

  async function refresh() {
    try {
      const [summary, figures, lastHour] = await Promise.all([api('GET', '/admin/summary'), api('GET', '/admin/figures'),
        api('GET', '/admin/figures/last-hour')]);
      renderSummary(summary.body);
      renderFigures(figures.body);
      drawLastHour(lastHour.body);
      if (!$('tab-routes').hidden) {
        loadRoutes();
      }
    } catch (error) {
      if (!(error instanceof Unauthorized)) {
        $('summary-at').textContent = 'refresh failed: ' + error.message;
      }
    }
  }

  function renderSummary(summary) {
    $('summary-at').textContent = 'at ' + when(summary.at);
    $('summary-at').title = summary.at || '';
    const cards = $('status-cards');
    clear(cards);
    Object.keys(summary.byStatus).forEach((status) => {
      const card = el('button', null, 'card status-card');
      card.type = 'button';
      card.id = 'count-' + status;
      card.title = 'List the ' + status + ' events';
      card.appendChild(el('span', status, 'label'));
      card.appendChild(el('span', summary.byStatus[status], 'value'));
      card.addEventListener('click', () => {
        $('f-status').value = status;
        selectTab('events');
        loadEvents();
      });
      cards.appendChild(card);
    });
    $('oldest-waiting').textContent = age(summary.oldestWaitingSeconds);

    const statuses = Object.keys(summary.byStatus);
    const table = $('by-event');
    clear(table.tHead);
    const head = el('tr');
    head.appendChild(el('th', 'event'));
    statuses.forEach((status) => head.appendChild(el('th', status)));
    table.tHead.appendChild(head);
    const body = table.tBodies[0];
    clear(body);
    const types = $('event-types');
    clear(types);
    Object.keys(summary.byEvent).forEach((label) => {
      const tr = el('tr');
      tr.dataset.event = label;
      tr.appendChild(el('th', label));
      statuses.forEach((status) => tr.appendChild(el('td', summary.byEvent[label][status] || 0)));
      body.appendChild(tr);
      const option = el('option');
      option.value = label;
      types.appendChild(option);
    });
  }

  function renderFigures(figures) {
    const none = figures.windowSeconds === 0;
    $('figures-window').textContent = none ? '(measuring…)' : 'over the last ' + figures.windowSeconds + ' s';
    $('fig-pushes').textContent = figures.pushesPerSecond === null ? '–' : figures.pushesPerSecond;
    $('fig-done').textContent = figures.donePerSecond === null ? '–' : figures.donePerSecond;
    $('fig-p99').textContent = figures.answerP99Ms === null ? '–' : figures.answerP99Ms + ' ms';
    $('fig-backlog').textContent = figures.backlog;
  }

  // --- events ----------------------------------------------------------------------------------

  /** The filter form as query parameters; datetime-local is the operator's local time. */
  function filterQuery(withStatus) {
    const params = new URLSearchParams();
    const form = $('filter');
    ['status', 'account', 'event', 'openId'].forEach((name) => {
      const value = form.elements[name].value.trim();
      if (value && (withStatus || name !== 'status')) {
        params.set(name, value);
      }
    });
    ['from', 'to'].forEach((name) => {
      const value = form.elements[name].value;
      if (value) {
        params.set(name, new Date(value).toISOString());
      }
    });
    return params;
  }

  async function loadEvents(before) {
    const params = filterQuery(true);
    if (before) {
      params.set('before', before);
    }
    const target = $('events-outcome');
    try {
      const page = await api('GET', '/admin/events?' + params.toString());
      renderEvents(page.body);
      nextCursor = page.headers.get('X-Next-Cursor');
      $('next-page').disabled = !nextCursor;
      $('first-page').disabled = cursors.length === 0;
      if (target.classList.contains('error')) {
        target.textContent = ''; // an earlier failure to list is over; a replay's outcome stays
      }
    } catch (error) {
      reportError(target, error);
    }
  }

  function renderEvents(rows) {
    const body = $('events').tBodies[0];
    clear(body);
    $('events-empty').hidden = rows.length > 0;
    rows.forEach((row) => {
      const tr = el('tr', null, 'event-row');
      tr.dataset.id = row.id;
      tr.tabIndex = 0;
      tr.title = 'Open event ' + row.id;
      tr.appendChild(timeEl('td', row.receivedAt));
      const status = el('td');
      status.appendChild(statusBadge(row.status));
      if (row.replyStatus === 'failed') { // a late reply WeChat refused or that came too late (docs/wechat.md)
        status.appendChild(el('span', 'late reply failed', 'status status-dead'));
      }
      tr.appendChild(status);
      tr.appendChild(el('td', row.account));
      tr.appendChild(el('td', eventLabel(row)));
      tr.appendChild(el('td', row.eventKey, 'event-key'));
      tr.appendChild(el('td', row.openId, 'open-id'));
      tr.appendChild(el('td', row.attempts));
      tr.appendChild(el('td', row.lastError || row.replyError, 'last-error'));
      tr.addEventListener('click', () => openEvent(row.id));
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') openEvent(row.id); });
      body.appendChild(tr);
    });
  }

  function search(event) {
    event.preventDefault();
    cursors = [];
    loadEvents();
  }

  /** Exactly the filter the bulk replay sends (status is always dead there), times as the operator reads them. */
  function describeFilter(params) {
    const parts = ['status = dead'];
    params.forEach((value, name) => {
      parts.push(name === 'from' || name === 'to'
        ? 'received ' + name + ' ' + when(value) + ' (' + value + ')'
        : name + ' = ' + value);
    });
    return parts.length === 1 ? 'status = dead, and nothing else: every dead event of every account' : parts.join(', ');
  }

  async function replayMatching() {
    const target = $('events-outcome');
    const params = filterQuery(false);
    const status = $('f-status').value;
    if (status && status !== 'dead') {
      target.textContent = 'Only dead events are replayed in bulk: set Status to dead or any.';
      target.className = 'outcome error';
      return;
    }
    try {
      const dry = new URLSearchParams(params);
      dry.set('dryRun', 'true');
      const count = (await api('POST', '/admin/events/replay?' + dry.toString())).body.matching;
      if (count === 0) {
        outcome(target, 'No dead event matches the filter; nothing to replay.');
        return;
      }
      if (!window.confirm('Replay ' + count + ' dead event(s) matching ' + describeFilter(params) + '?\n'
          + 'They go back to pending and are dispatched again.')) {
        outcome(target, 'Replay cancelled.');
        return;
      }
      const done = await api('POST', '/admin/events/replay?' + params.toString());
      outcome(target, done.body.replayed + ' dead event(s) put back to pending; the dispatcher runs them again.');
      loadEvents();
      refresh();
    } catch (error) {
      reportError(target, error);
    }
  }

  // --- one event -------------------------------------------------------------------------------

  async function openEvent(id) {
    clearInterval(eventPoll);
    eventPoll = null;
    $('event-outcome').textContent = '';
    await showEvent(id);
    $('event').scrollIntoView();
  }

  async function showEvent(id) {
    let answer;
    try {
      answer = (await api('GET', '/admin/events/' + encodeURIComponent(id))).body;
    } catch (error) {
      reportError($('event-outcome'), error);
      return null;
    }
    const event = answer.event;
    shownEvent = event;
    $('event').hidden = false;
    $('event').dataset.status = event.status;
    $('event-id').textContent = event.id;
    keyValues($('event-columns'), event, ['rawXml', 'fields']);
    $('event-error').textContent = event.lastError || '(none)';
    renderHistory(answer.history);
    let fields = event.fields;
    try {
      fields = JSON.stringify(JSON.parse(event.fields), null, 2);
    } catch (e) {
      // not JSON: shown as stored
    }
    $('event-fields').textContent = fields;
    $('event-xml').textContent = event.rawXml;
    if (answer.follower) {
      $('follower').hidden = false;
      $('follower-none').hidden = true;
      keyValues($('follower'), answer.follower);
    } else {
      clear($('follower').tBodies[0]);
      $('follower').hidden = true;
      $('follower-none').hidden = false;
    }
    const body = $('follower-events').tBodies[0];
    clear(body);
    answer.followerEvents.forEach((row) => {
      const tr = el('tr', null, 'event-row');
      tr.dataset.id = row.id;
      tr.tabIndex = 0;
      tr.appendChild(timeEl('td', row.receivedAt));
      const status = el('td');
      status.appendChild(statusBadge(row.status));
      tr.appendChild(status);
      tr.appendChild(el('td', eventLabel(row)));
      tr.appendChild(el('td', row.eventKey));
      tr.appendChild(el('td', row.attempts));
      tr.appendChild(el('td', row.lastError));
      tr.addEventListener('click', () => openEvent(row.id));
      body.appendChild(tr);
    });
    return event;
  }

  /** Every attempt and replay of the shown event, oldest first: what a replay does not erase. */
  function renderHistory(history) {
    const body = $('event-history').tBodies[0];
    clear(body);
    $('event-history-none').hidden = history.length > 0;
    history.forEach((row) => {
      const replay = row.outcome === 'replayed';
      const tr = el('tr', null, 'history-' + row.outcome);
      tr.dataset.outcome = row.outcome;
      tr.appendChild(el('td', replay ? '' : row.attempt, 'number'));
      const outcomeCell = el('td');
      outcomeCell.appendChild(statusBadge(row.outcome));
      if (row.forced) {
        outcomeCell.appendChild(el('span', 'forced', 'tag'));
      }
      if (row.bulk) {
        outcomeCell.appendChild(el('span', 'in bulk', 'tag'));
      }
      tr.appendChild(outcomeCell);
      tr.appendChild(timeEl('td', row.startedAt));
      const took = Date.parse(row.endedAt) - Date.parse(row.startedAt);
      tr.appendChild(el('td', replay || isNaN(took) ? '' : took + ' ms', 'number took'));
      tr.appendChild(el('td', row.node, 'node'));
      tr.appendChild(el('td', replay ? 'by the operator API from ' + row.replayedBy : row.error, 'history-error'));
      body.appendChild(tr);
    });
  }

  async function replayEvent() {
    if (!shownEvent) {
      return;
    }
    const id = shownEvent.id;
    const target = $('event-outcome');
    if (!window.confirm('Replay event ' + id + ' (' + eventLabel(shownEvent) + ', now ' + shownEvent.status + ')?\n'
        + 'It goes back to pending and is dispatched again.')) {
      outcome(target, 'Replay cancelled.');
      return;
    }
    const done = shownEvent.status === 'done';
    if (done && !window.confirm('Event ' + id + ' is done: it went through already. Replaying it repeats '
        + repeatedCalls(shownEvent) + '.\nReplay it anyway?')) {
      outcome(target, 'Replay cancelled.');
      return;
    }
    try {
      await api('POST', '/admin/events/' + encodeURIComponent(id) + '/replay' + (done ? '?force=true' : ''));
    } catch (error) {
      reportError(target, error);
      return;
    }
    outcome(target, 'Put back to pending; waiting for the dispatcher…');
    // follow it until the dispatcher is through with it (a minute at most)
    const started = Date.now();
    eventPoll = setInterval(async () => {
      const event = await showEvent(id);
      if (event && !WAITING.includes(event.status)) {
        clearInterval(eventPoll);
        eventPoll = null;
        outcome(target, 'Replayed: the event is now ' + event.status + ' after ' + event.attempts + ' attempt(s) since the replay ('
          + event.totalAttempts + ' in all: see its history).');
        loadEvents(cursors[cursors.length - 1]);
      } else if (Date.now() - started > 60000) {
        clearInterval(eventPoll);
        eventPoll = null;
        outcome(target, 'Still ' + (event ? event.status : 'unknown') + ' after a minute; see its history.');
      }
    }, 1000);
  }


  // --- charts, drawn by the page itself: the campaigns' days and the last hour's live figures ---

  const SVG = 'http://www.w3.org/2000/svg';

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    Object.keys(attributes || {}).forEach((name) => node.setAttribute(name, String(attributes[name])));
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  /**
   * A chart drawn with SVG elements built one by one (no markup from data): one slot per step of
   * the x axis (a day, ten seconds), in each slot bars — each a stack of series — and the points
   * of lines through the slots. spec:
   *   label, width, height, yTitle, xTitle, integers (the y axis counts whole things),
   *   series [{name, label, color}], bars [[name, …] per bar of a slot], lines [name, …],
   *   slots, value(slot, name) (null: none), slotClass and slotKey(slot) (a group per slot, with
   *   its bars and slotTitle(slot) as tooltip), xLabel(slot, i) (null: no label at this slot).
   */
  function drawChart(container, spec) {
    clear(container);
    const { width, height, slots } = spec;
    const bars = spec.bars || [];
    const lines = spec.lines || [];
    const left = 56;
    const right = 16;
    const top = 40;
    const bottom = 58;
    const plotWidth = width - left - right;
    const plotHeight = height - top - bottom;
    const value = (slot, name) => {
      const v = spec.value(slot, name);
      return v === null || v === undefined || isNaN(v) ? null : v;
    };
    const stacked = (slot, stack) => stack.reduce((sum, name) => sum + (value(slot, name) || 0), 0);
    const highest = Math.max(0, ...slots.map((slot) => Math.max(0, ...bars.map((stack) => stacked(slot, stack)),
      ...lines.map((name) => value(slot, name) || 0)))) || 1;
    const step = niceStep(highest, spec.integers);
    const yMax = Math.ceil(highest / step) * step;
    const y = (v) => top + plotHeight - (v / yMax) * plotHeight;
    const color = (name) => spec.series.find((s) => s.name === name).color;
    const chart = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, width, height, 'aria-label': spec.label });
    container.setAttribute('aria-label', spec.label);

    // legend
    let x = left;
    spec.series.forEach((series) => {
      chart.appendChild(svg('rect', { x, y: 12, width: 12, height: 12, fill: series.color }));
      chart.appendChild(svg('text', { x: x + 17, y: 22 }, series.label));
      x += 30 + series.label.length * 7;
    });

    // y axis: grid lines and labels
    for (let k = 0; k * step <= yMax + step / 1e6; k++) {
      const v = Number((k * step).toPrecision(6));
      chart.appendChild(svg('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), class: k === 0 ? 'axis' : 'grid' }));
      chart.appendChild(svg('text', { x: left - 8, y: y(v) + 4, 'text-anchor': 'end', class: 'y-label' }, v));
    }
    chart.appendChild(svg('line', { x1: left, x2: left, y1: top, y2: top + plotHeight, class: 'axis' }));
    chart.appendChild(svg('text', { x: 14, y: top + plotHeight / 2, 'text-anchor': 'middle', class: 'axis-title',
      transform: 'rotate(-90 14 ' + (top + plotHeight / 2) + ')' }, spec.yTitle));

    // each slot: its bars, side by side, each a stack; and its x label
    const slotWidth = plotWidth / slots.length;
    const bar = bars.length ? Math.max(2, Math.min(14, (slotWidth - 4) / bars.length)) : 0;
    slots.forEach((slot, i) => {
      if (bars.length) {
        const x0 = left + i * slotWidth + (slotWidth - bars.length * bar) / 2;
        const group = svg('g', { class: spec.slotClass, ['data-' + spec.slotClass]: spec.slotKey(slot) });
        group.appendChild(svg('title', {}, spec.slotTitle(slot)));
        bars.forEach((stack, k) => {
          let base = 0;
          stack.forEach((name) => {
            const v = value(slot, name) || 0;
            if (v > 0) {
              group.appendChild(svg('rect', { x: x0 + k * bar, y: y(base + v), width: bar, height: y(base) - y(base + v),
                fill: color(name), class: 'bar bar-' + name, 'data-value': v }));
            }
            base += v;
          });
        });
        chart.appendChild(group);
      }
      const label = spec.xLabel(slot, i);
      if (label !== null) {
        const cx = left + i * slotWidth + slotWidth / 2;
        chart.appendChild(svg('line', { x1: cx, x2: cx, y1: top + plotHeight, y2: top + plotHeight + 4, class: 'axis' }));
        chart.appendChild(svg('text', { x: cx, y: top + plotHeight + 18, 'text-anchor': 'middle', class: 'x-label' }, label));
      }
    });

    // lines: through the slots that have a value, broken where one has none; the last point marked
    lines.forEach((name) => {
      let run = [];
      let points = 0;
      let last = null;
      const flush = () => {
        if (run.length) {
          chart.appendChild(svg('polyline', { points: run.join(' '), fill: 'none', stroke: color(name), class: 'line line-' + name }));
          run = [];
        }
      };
      slots.forEach((slot, i) => {
        const v = value(slot, name);
        if (v === null) {
          flush();
          return;
        }
        last = [left + i * slotWidth + slotWidth / 2, y(v), v];
        run.push(last[0].toFixed(1) + ',' + last[1].toFixed(1));
        points++;
      });
      flush();
      if (last) {
        chart.appendChild(svg('circle', { cx: last[0], cy: last[1], r: 3, fill: color(name), class: 'last last-' + name,
          'data-value': last[2], 'data-points': points }));
      }
    });

    chart.appendChild(svg('text', { x: left + plotWidth / 2, y: height - 10, 'text-anchor': 'middle', class: 'axis-title' }, spec.xTitle));
    container.appendChild(chart);
  }

  /** 1, 2 or 5 times a power of ten, giving about five grid lines (whole numbers only, if integers). */
  function niceStep(highest, integers) {
    const rough = highest / 5;
    const power = Math.pow(10, Math.floor(Math.log10(integers ? Math.max(rough, 1) : rough)));
    return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) || power * 10;
  }

  // --- live figures: the last hour --------------------------------------------------------------

  const LIVE_CHARTS = [
    { id: 'live-rates', label: 'pushes and events done per second, the last hour', yTitle: 'per second',
      series: [{ name: 'pushesPerSecond', label: 'pushes / s', color: '#1f5fa8' },
        { name: 'donePerSecond', label: 'done / s', color: '#2e7d32' }] },
    { id: 'live-p99', label: 'answer p99 in ms, the last hour', yTitle: 'ms',
      series: [{ name: 'answerP99Ms', label: 'answer p99 (ms)', color: '#b26a00' }] },
    { id: 'live-backlog', label: 'backlog, the last hour', yTitle: 'events', integers: true,
      series: [{ name: 'backlog', label: 'backlog (events waiting)', color: '#c62828' }] },
  ];
  const CLOCK_FORMAT = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
  const ZONE = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(new Date())
    .find((p) => p.type === 'timeZoneName').value;

  /** The last hour as the hub sampled it: a slot per point, the newest at the right, empty slots before the first. */
  function drawLastHour(series) {
    const every = series.everySeconds * 1000;
    const points = series.points;
    const count = Math.max(series.slots, points.length);
    const end = points.length ? Date.parse(points[points.length - 1].at) : Date.now();
    const slots = [];
    for (let i = count - 1; i >= 0; i--) {
      const point = i < points.length ? points[points.length - 1 - i] : null;
      slots.push({ at: point ? Date.parse(point.at) : end - i * every, point });
    }
    $('live-window').textContent = series.points.length ? series.points.length + ' points, one per ' + series.everySeconds + ' s'
      : '(the first point comes ' + series.everySeconds + ' s after the hub starts)';
    LIVE_CHARTS.forEach((chart) => {
      drawChart($(chart.id), {
        label: chart.label, width: 560, height: 260, yTitle: chart.yTitle, integers: chart.integers,
        xTitle: 'time (' + ZONE + '), the last hour', series: chart.series, lines: chart.series.map((s) => s.name),
        slots, value: (slot, name) => (slot.point ? slot.point[name] : null),
        xLabel: (slot) => {
          const date = new Date(slot.at);
          return date.getMinutes() % 15 === 0 && date.getSeconds() < series.everySeconds ? CLOCK_FORMAT.format(date) : null;
        },
      });
    });
  }

  // --- campaigns and the menu (docs/wechat.md, "The menu and scene-QR campaigns") -------------

  const CAMPAIGN_SERIES = [
    { name: 'newFollowers', label: 'new followers', color: '#2e7d32' },
    { name: 'returning', label: 'returning followers', color: '#81c784' },
    { name: 'scans', label: 'scans by followers', color: '#1f5fa8' },
    { name: 'unfollowsWithin7Days', label: 'unfollows within 7 days', color: '#c62828' },
  ];

  async function loadCampaignsTab() {
    const select = $('c-account');
    try {
      const accounts = (await api('GET', '/admin/accounts')).body;
      const keep = campaignsAccount;
      clear(select);
      accounts.forEach((account) => {
        const option = el('option', account.id + ' (' + account.campaigns + ' campaign' + (account.campaigns === 1 ? '' : 's')
          + (account.menu ? ', menu' : '') + ')');
        option.value = account.id;
        option.dataset.menu = account.menu;
        option.dataset.api = account.callsApi;
        select.appendChild(option);
      });
      if (accounts.length === 0) {
        outcome($('campaigns-outcome'), 'The hub serves no account.');
        return;
      }
      const first = accounts.find((a) => a.campaigns > 0) || accounts[0];
      select.value = keep && accounts.some((a) => a.id === keep) ? keep : first.id;
      await loadCampaigns();
    } catch (error) {
      reportError($('campaigns-outcome'), error);
    }
  }

  function selectedAccount() {
    return $('c-account').value;
  }

  async function loadCampaigns() {
    const account = selectedAccount();
    if (account !== campaignsAccount) {
      $('campaign').hidden = true;
      shownCampaign = null;
    }
    campaignsAccount = account;
    const option = $('c-account').selectedOptions[0];
    $('c-account-info').textContent = option && option.dataset.api === 'false'
      ? 'This account has no app-secret: QR codes and the menu need WeChat\'s API.' : '';
    const target = $('campaigns-outcome');
    try {
      const answer = (await api('GET', '/admin/accounts/' + encodeURIComponent(account) + '/campaigns')).body;
      renderCampaigns(answer);
      if (target.classList.contains('error')) {
        target.textContent = '';
      }
    } catch (error) {
      reportError(target, error);
    }
    loadMenu();
    if (shownCampaign) {
      showCampaign(shownCampaign);
    }
  }

  function renderCampaigns(answer) {
    $('campaigns-period').textContent = 'totals: every event in the inbox; last 7 days: ' + answer.from + ' to ' + answer.to + ' (UTC)';
    const body = $('campaigns').tBodies[0];
    clear(body);
    $('campaigns-empty').hidden = answer.campaigns.length > 0;
    answer.campaigns.forEach((campaign) => {
      const tr = el('tr', null, 'campaign-row');
      tr.dataset.scene = campaign.scene;
      tr.tabIndex = 0;
      tr.title = 'Show the daily figures of ' + campaign.name;
      tr.classList.toggle('selected', campaign.scene === shownCampaign);

      const qr = el('td', null, 'qr-cell');
      if (campaign.qrCode) {
        const canvas = el('canvas', null, 'qr');
        canvas.width = 192;
        canvas.height = 192;
        canvas.title = 'QR code of ' + campaign.name + ' (' + campaign.qrCode.url + ')';
        qr.appendChild(canvas);
        drawImage(canvas, campaign.qrCode.image).catch((error) => {
          if (!(error instanceof Unauthorized)) {
            qr.appendChild(el('span', 'image failed: ' + error.message, 'error'));
          }
        });
      }
      const usable = campaign.qrCode && (campaign.qrCode.permanent || !campaign.qrCode.expired);
      if (!usable) {
        const make = el('button', campaign.qrCode ? 'Make a new QR code' : 'Make QR code', 'make-qrcode');
        make.type = 'button';
        make.addEventListener('click', (event) => {
          event.stopPropagation();
          makeQrCode(campaign, make);
        });
        qr.appendChild(make);
      }
      tr.appendChild(qr);

      const name = el('td');
      name.appendChild(el('div', campaign.name, 'campaign-name'));
      name.appendChild(el('div', 'scene ' + campaign.scene, 'hint'));
      campaign.tags.forEach((tag) => name.appendChild(el('span', tag, 'tag')));
      tr.appendChild(name);

      const code = el('td', null, 'code-info');
      code.appendChild(el('div', campaign.kind === 'permanent' ? 'permanent' : 'temporary, ' + duration(campaign.expiresSeconds)));
      if (campaign.qrCode) {
        if (campaign.qrCode.expiresAt) {
          const expiry = timeEl('div', campaign.qrCode.expiresAt, campaign.qrCode.expired ? 'expired ' : 'expires ');
          expiry.classList.toggle('expired', campaign.qrCode.expired);
          code.appendChild(expiry);
        }
        code.appendChild(el('div', campaign.qrCode.url));
      } else {
        code.appendChild(el('div', 'no code made yet'));
      }
      tr.appendChild(code);

      ['scans', 'follows', 'newFollowers', 'returning', 'unfollowsWithin7Days'].forEach((figure) => {
        const td = el('td', campaign.totals[figure], 'number');
        td.dataset.figure = figure;
        tr.appendChild(td);
      });
      const recent = el('td', campaign.last7Days.map((d) => d.follows + (d.scans ? ' (' + d.scans + ')' : '')).join(' · '), 'spark');
      recent.title = campaign.last7Days.map((d) => d.day + ': ' + d.follows + ' follows, ' + d.scans + ' scans').join('\n');
      tr.appendChild(recent);

      tr.addEventListener('click', () => showCampaign(campaign.scene));
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') showCampaign(campaign.scene); });
      body.appendChild(tr);
    });
  }

  function duration(seconds) {
    if (seconds % 86400 === 0) return seconds / 86400 + (seconds === 86400 ? ' day' : ' days');
    if (seconds % 3600 === 0) return seconds / 3600 + ' h';
    return seconds + ' s';
  }

  async function makeQrCode(campaign, button) {
    const target = $('campaigns-outcome');
    button.disabled = true;
    try {
      const path = '/admin/accounts/' + encodeURIComponent(campaignsAccount) + '/campaigns/' + encodeURIComponent(campaign.scene) + '/qrcode';
      const code = (await api('POST', path)).body;
      outcome(target, 'QR code of ' + campaign.name + ' made' + (code.expiresAt ? ', valid until ' + when(code.expiresAt) : ' (permanent)') + '.');
      await loadCampaigns();
    } catch (error) {
      button.disabled = false;
      reportError(target, error);
    }
  }

  async function showCampaign(scene) {
    shownCampaign = scene;
    document.querySelectorAll('#campaigns tr.campaign-row').forEach((tr) => tr.classList.toggle('selected', tr.dataset.scene === scene));
    let figures;
    try {
      figures = (await api('GET', '/admin/accounts/' + encodeURIComponent(campaignsAccount) + '/campaigns/'
        + encodeURIComponent(scene) + '/figures')).body;
    } catch (error) {
      reportError($('campaigns-outcome'), error);
      return;
    }
    $('campaign').hidden = false;
    $('campaign').dataset.scene = scene;
    $('campaign-name').textContent = figures.campaign + ' (' + figures.scene + ')';
    $('campaign-period').textContent = figures.from + ' to ' + figures.to + ' (UTC)';
    drawCampaignChart($('campaign-chart'), figures);
  }

  /** One campaign's figures per day: follows (new and returning, stacked), scans and unfollows, a bar each. */
  function drawCampaignChart(container, figures) {
    const days = figures.days;
    const labelEvery = Math.ceil(days.length / 15);
    drawChart(container, {
      label: 'Figures per day of ' + figures.campaign, width: 1100, height: 340, integers: true,
      yTitle: 'events per day', xTitle: 'day (UTC, month-day), ' + figures.from.slice(0, 4),
      series: CAMPAIGN_SERIES, bars: [['newFollowers', 'returning'], ['scans'], ['unfollowsWithin7Days']],
      slots: days, value: (day, name) => day[name], slotClass: 'day', slotKey: (day) => day.day,
      slotTitle: (day) => day.day + ': ' + day.follows + ' follows (' + day.newFollowers + ' new, ' + day.returning
        + ' returning), ' + day.scans + ' scans, ' + day.unfollowsWithin7Days + ' unfollows within 7 days',
      // counted from the last day, which is always labelled
      xLabel: (day, i) => ((days.length - 1 - i) % labelEvery === 0 ? day.day.slice(5) : null),
    });
  }

  async function loadMenu() {
    const account = campaignsAccount;
    const option = $('c-account').selectedOptions[0];
    const configured = option && option.dataset.menu === 'true';
    $('publish-menu').disabled = !configured;
    clear($('menu-configured'));
    clear($('menu-wechat'));
    $('menu-same').textContent = '';
    $('menu-same').className = '';
    try {
      const menu = (await api('GET', '/admin/accounts/' + encodeURIComponent(account) + '/menu')).body;
      if (account !== campaignsAccount) {
        return; // another account was picked meanwhile
      }
      renderMenu($('menu-configured'), menu.configured, 'No menu configured (wechat.accounts.' + account + '.menu).');
      renderMenu($('menu-wechat'), menu.inWeChat, 'WeChat has no menu on for this account.');
      $('menu-same').textContent = menu.same ? 'WeChat has the configured menu' : 'WeChat\'s menu differs from the configured one';
      $('menu-same').className = menu.same ? 'same' : 'differs';
    } catch (error) {
      reportError($('menu-outcome'), error);
    }
  }

  function renderMenu(list, menu, none) {
    clear(list);
    if (!menu || !menu.button || menu.button.length === 0) {
      list.appendChild(el('li', none, 'hint'));
      return;
    }
    menu.button.forEach((button) => list.appendChild(menuButton(button)));
  }

  function menuButton(button) {
    const item = el('li');
    item.appendChild(el('span', button.name, 'button-name'));
    const what = button.key || button.url || button.media_id || button.article_id || button.pagepath;
    if (button.type) {
      item.appendChild(document.createTextNode(' '));
      item.appendChild(el('span', button.type + (what ? ' ' + what : ''), 'button-what'));
    }
    if (button.sub_button && button.sub_button.length) {
      const sub = el('ul');
      button.sub_button.forEach((b) => sub.appendChild(menuButton(b)));
      item.appendChild(sub);
    }
    return item;
  }

  async function publishMenu() {
    const account = campaignsAccount;
    const target = $('menu-outcome');
    if (!window.confirm('Publish the configured menu of account ' + account + ' to WeChat?\n'
        + 'It replaces the menu every follower of ' + account + ' sees (WeChat\'s clients pick it up within minutes).')) {
      outcome(target, 'Publishing cancelled.');
      return;
    }
    try {
      const answer = (await api('POST', '/admin/accounts/' + encodeURIComponent(account) + '/menu/publish')).body;
      outcome(target, 'Published to WeChat for ' + account + ': errcode ' + answer.errcode + ' (' + answer.errmsg + ').');
    } catch (error) {
      reportError(target, error);
    }
    loadMenu();
  }

  /** What dispatching the event again does downstream (README, "Downstream, per event"). */
  function repeatedCalls(event) {
    const follower = '/bindings/' + event.account + '/' + event.openId;
    const broker = 'the broker message ' + event.account + '.' + (event.event ? event.event.toLowerCase() : 'message.' + event.msgType);
    switch (event.event) {
      case 'subscribe': return 'the CRM call PUT ' + follower + ' (with the same Idempotency-Key) and ' + broker;
      case 'unsubscribe': return 'the CRM call DELETE ' + follower + ' (with the same Idempotency-Key) and ' + broker;
      case 'SCAN': return 'the CRM call POST /activities (with the same Idempotency-Key) and ' + broker;
      default: return broker + ' (no CRM call for this event)';
    }
  }

  // --- routes ----------------------------------------------------------------------------------

  async function loadRoutes() {
    let routes;
    try {
      routes = (await api('GET', '/admin/routes')).body;
    } catch (error) {
      reportError($('reload-running'), error);
      return;
    }
    $('routes-folder').textContent = routes.folder + (routes.liveReload ? ' (live reload on)' : ' (live reload off)');
    const last = routes.lastReload || {};
    $('reload-outcome').textContent = last.lastReload || 'none';
    $('reload-outcome').className = 'reload-' + (last.lastReload || 'none');
    $('reload-at').textContent = last.at ? 'at ' + when(last.at) + (last.files ? ' — ' + last.files.join(', ') : '') : '';
    $('reload-at').title = last.at || '';
    $('reload-running').textContent = last.running ? 'Running: ' + last.running : '';
    const problems = $('reload-problems');
    clear(problems);
    (last.problems || []).forEach((problem) => problems.appendChild(el('li', problem)));
    const accounts = routes.accounts || {};
    $('accounts-serving').textContent = (accounts.accounts || []).length + ' serving: ' + (accounts.accounts || []).join(', ');
    $('accounts-outcome').textContent = accounts.lastReload || 'none';
    $('accounts-outcome').className = 'reload-' + (accounts.lastReload || 'none');
    $('accounts-at').textContent = accounts.at ? 'at ' + when(accounts.at) + (accounts.changed ? ' — ' + accounts.changed.join(', ') : '') : '';
    $('accounts-at').title = accounts.at || '';
    $('accounts-running').textContent = accounts.running ? 'Running: ' + accounts.running : '';
    const accountProblems = $('accounts-problems');
    clear(accountProblems);
    (accounts.problems || []).forEach((problem) => accountProblems.appendChild(el('li', problem)));
    const body = $('route-files').tBodies[0];
    clear(body);
    routes.files.forEach((file) => {
      file.routes.forEach((route, i) => {
        const tr = el('tr');
        tr.dataset.file = file.file;
        tr.appendChild(el('td', i === 0 ? file.file : ''));
        tr.appendChild(el('td', route.id));
        tr.appendChild(el('td', route.kind === 'routeConfiguration' ? '(route configuration)' : route.from));
        tr.appendChild(el('td', route.status || ''));
        body.appendChild(tr);
      });
    });
  }

  // --- wiring ----------------------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    $('sign-in-form').addEventListener('submit', signIn);
    $('sign-out').addEventListener('click', () => signOut(''));
    document.querySelectorAll('#tabs button').forEach((button) => {
      button.addEventListener('click', () => selectTab(button.dataset.tab));
    });
    $('filter').addEventListener('submit', search);
    $('replay-matching').addEventListener('click', replayMatching);
    $('next-page').addEventListener('click', () => {
      if (nextCursor) {
        cursors.push(nextCursor);
        loadEvents(nextCursor);
      }
    });
    $('first-page').addEventListener('click', () => {
      cursors = [];
      loadEvents();
    });
    $('close-event').addEventListener('click', () => {
      clearInterval(eventPoll);
      eventPoll = null;
      $('event').hidden = true;
      shownEvent = null;
    });
    $('replay-event').addEventListener('click', replayEvent);
    $('c-account').addEventListener('change', loadCampaigns);
    $('campaigns-form').addEventListener('submit', (e) => e.preventDefault());
    $('close-campaign').addEventListener('click', () => {
      $('campaign').hidden = true;
      shownCampaign = null;
      document.querySelectorAll('#campaigns tr.selected').forEach((tr) => tr.classList.remove('selected'));
    });
    $('publish-menu').addEventListener('click', publishMenu);
    if (sessionStorage.getItem(TOKEN)) {
      // a reload of the page: check the kept token before showing anything
      api('GET', '/admin/summary').then(enter, () => signOut(''));
    }
  });
})();
