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

  function when(value) {
    if (!value) {
      return '';
    }
    const date = new Date(value);
    return isNaN(date) ? String(value) : date.toLocaleString();
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
      tr.appendChild(el('td', show(row[key])));
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
    ['by-event', 'events', 'event-columns', 'follower', 'follower-events', 'route-files'].forEach((id) => {
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
  }

  // --- overview: summary and figures -----------------------------------------------------------

  async function refresh() {
    try {
      const [summary, figures] = await Promise.all([api('GET', '/admin/summary'), api('GET', '/admin/figures')]);
      renderSummary(summary.body);
      renderFigures(figures.body);
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
      tr.appendChild(el('td', when(row.receivedAt)));
      const status = el('td');
      status.appendChild(statusBadge(row.status));
      if (row.replyStatus === 'failed') { // a late reply WeChat refused or that came too late (SPEC §10.4)
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

  function describeFilter(params) {
    const parts = [];
    params.forEach((value, name) => parts.push(name + ' = ' + value));
    return parts.length ? parts.join(', ') : 'no filter: every dead event';
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
      tr.appendChild(el('td', when(row.receivedAt)));
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
    try {
      await api('POST', '/admin/events/' + encodeURIComponent(id) + '/replay');
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
        outcome(target, 'Replayed: the event is now ' + event.status + ' after ' + event.attempts + ' attempt(s).');
        loadEvents(cursors[cursors.length - 1]);
      } else if (Date.now() - started > 60000) {
        clearInterval(eventPoll);
        eventPoll = null;
        outcome(target, 'Still ' + (event ? event.status : 'unknown') + ' after a minute; see its attempts and last error.');
      }
    }, 1000);
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
    $('reload-running').textContent = last.running ? 'Running: ' + last.running : '';
    const problems = $('reload-problems');
    clear(problems);
    (last.problems || []).forEach((problem) => problems.appendChild(el('li', problem)));
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
    if (sessionStorage.getItem(TOKEN)) {
      // a reload of the page: check the kept token before showing anything
      api('GET', '/admin/summary').then(enter, () => signOut(''));
    }
  });
})();
