// trainq dashboard: plain JavaScript, no framework, no build step. Served under a strict CSP, so nothing
// here builds HTML from strings: data goes into the DOM with textContent and attributes only.
"use strict";

(function () {
  // ------------------------------------------------------------------ constants

  // Every state, in lifecycle order (as the header's tiles show them).
  const STATES = [
    "queued", "retrying", "submitting", "reconciling", "tracking", "needs_attention",
    "succeeded", "failed", "stopped", "rejected", "exhausted", "canceled",
  ];
  // What the daemon's state machine accepts (Submission+StateMachine.swift): `cancel` before a version
  // exists (queued, retrying, needs_attention) or while tracking (stops the version); `retry` re-queues
  // rejected and exhausted; `resolve` is for needs_attention (admins only).
  const CANCELABLE = new Set(["queued", "retrying", "tracking", "needs_attention"]);
  const RETRYABLE = new Set(["rejected", "exhausted"]);

  const LIST_LIMIT = 50;
  const HEALTH_EVERY_MS = 5000;
  const EVENTS_TIMEOUT = "25s";
  const REFRESH_GAP_MS = 300;
  const BACKOFF_FIRST_MS = 1000;
  const BACKOFF_MAX_MS = 5000;
  const CHART_MINUTES = 30;
  // The largest `after`: a long-poll with it answers at once with no events and the daemon's last_seq.
  const AFTER_EVERYTHING = "9223372036854775807";
  const SVG_NS = "http://www.w3.org/2000/svg";

  const $ = (id) => document.getElementById(id);
  const csrfMeta = document.querySelector('meta[name="trainq-csrf"]');
  const csrfToken = csrfMeta ? csrfMeta.getAttribute("content") || "" : "";

  // ------------------------------------------------------------------ small helpers

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const name of Object.keys(attributes || {})) node.setAttribute(name, String(attributes[name]));
    return node;
  }

  function stateClass(state) {
    return STATES.includes(state) ? "state-" + state : "state-unknown";
  }

  function setStateClass(node, state) {
    for (const known of STATES) node.classList.remove("state-" + known);
    node.classList.remove("state-unknown");
    node.classList.add(stateClass(state));
  }

  function pad(number, width) {
    return String(number).padStart(width || 2, "0");
  }

  // Local time, ISO-like: 2026-12-04 19:23:19 (with .mmm when asked).
  function localTime(iso, withMilliseconds) {
    if (!iso) return "-";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return String(iso);
    let text = date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " +
      pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds());
    if (withMilliseconds) text += "." + pad(date.getMilliseconds(), 3);
    return text;
  }

  function timeCell(iso) {
    const td = el("td", "time", localTime(iso));
    if (iso) td.title = iso;
    return td;
  }

  // 12 ms, 2.1 s, 42 s, 3 min, 3 min 12 s, 2 h 5 min, 1 d 3 h.
  function formatDuration(ms) {
    if (typeof ms !== "number" || !Number.isFinite(ms)) return "-";
    const sign = ms < 0 ? "-" : "";
    ms = Math.abs(ms);
    if (ms < 1000) return sign + Math.round(ms) + " ms";
    if (ms < 10000) return sign + (ms / 1000).toFixed(1) + " s";
    if (ms < 60000) return sign + Math.round(ms / 1000) + " s";
    if (ms < 3600000) {
      const seconds = Math.round(ms / 1000);
      const minutes = Math.floor(seconds / 60);
      const rest = seconds % 60;
      return sign + minutes + " min" + (rest ? " " + rest + " s" : "");
    }
    if (ms < 86400000) {
      const minutes = Math.round(ms / 60000);
      const rest = minutes % 60;
      return sign + Math.floor(minutes / 60) + " h" + (rest ? " " + rest + " min" : "");
    }
    const hours = Math.round(ms / 3600000);
    const rest = hours % 24;
    return sign + Math.floor(hours / 24) + " d" + (rest ? " " + rest + " h" : "");
  }

  function remoteText(remote) {
    if (!remote || typeof remote !== "object") return "-";
    // A v2 job's phase has no code.
    if (remote.code === null || remote.code === undefined) return String(remote.name);
    return String(remote.name) + " (" + String(remote.code) + ")";
  }

  function versionText(submission) {
    if (submission.api === "v2") return orDash(submission.training_job_id);
    if (submission.version_name) return String(submission.version_name);
    if (submission.version_id !== null && submission.version_id !== undefined) return String(submission.version_id);
    return "-";
  }

  // The v1 job id, or a v2 job's name (v2 jobs have no job id).
  function jobText(submission) {
    if (submission.api === "v2") return orDash(submission.training_job_name);
    return orDash(submission.job_id);
  }

  function orDash(value) {
    return value === null || value === undefined || value === "" ? "-" : String(value);
  }

  // Calls `task` at most once per `gap` ms, never two at once; a request while it runs reruns it after.
  function throttled(task, gap) {
    let timer = null;
    let running = false;
    let again = false;
    let last = 0;
    async function run() {
      timer = null;
      if (running) {
        again = true;
        return;
      }
      running = true;
      last = Date.now();
      try {
        await task();
      } catch (error) {
        console.warn("trainq dashboard:", error);
      } finally {
        running = false;
        if (again) {
          again = false;
          schedule();
        }
      }
    }
    function schedule() {
      if (running) {
        again = true;
        return;
      }
      if (timer !== null) return;
      timer = setTimeout(run, Math.max(0, gap - (Date.now() - last)));
    }
    return schedule;
  }

  // ------------------------------------------------------------------ the API

  class ApiError extends Error {
    constructor(status, kind, message, details, body) {
      super(message);
      this.status = status;
      this.kind = kind;
      this.details = Array.isArray(details) ? details : [];
      this.body = body;
    }

    // The daemon (or the dashboard server) cannot be reached at all.
    get unreachable() {
      return this.kind === "daemon_unavailable" || this.kind === "network";
    }

    describe() {
      let text = this.message;
      if (this.details.length) {
        text += " (" + this.details.map((d) => (d.field ? d.field + ": " : "") + d.problem).join("; ") + ")";
      }
      return text;
    }
  }

  async function api(path, options) {
    const method = (options && options.method) || "GET";
    const init = { method, credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } };
    if (method !== "GET" && method !== "HEAD") {
      init.headers["X-TrainQ-CSRF"] = csrfToken;
      if (options.body !== undefined) {
        init.headers["Content-Type"] = "application/json";
        init.body = options.body;
      }
    }
    let response;
    let text;
    try {
      response = await fetch(path, init);
      text = await response.text();
    } catch (error) {
      const failure = new ApiError(0, "network", "the dashboard server is gone (" + error.message +
        "); start `trainq dashboard` again and open the URL it prints");
      connection.down(failure);
      throw failure;
    }
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch (error) {
      body = null;
    }
    if (response.ok) {
      connection.up();
      return body;
    }
    let failure;
    if (body && body.error && typeof body.error.kind === "string") {
      failure = new ApiError(response.status, body.error.kind, String(body.error.message || body.error.kind),
        body.error.details, body);
    } else {
      failure = new ApiError(response.status, "http_" + response.status,
        "HTTP " + response.status + (text ? ": " + text.slice(0, 200) : ""), [], body);
    }
    if (failure.kind === "daemon_unavailable") connection.down(failure);
    else connection.up();
    throw failure;
  }

  // ------------------------------------------------------------------ the banner

  const connection = {
    downMessage: null,
    healthProblem: null, // {kind: "refused" | "degraded", text}

    down(failure) {
      const first = this.downMessage === null;
      this.downMessage = failure.message;
      renderBanner();
      if (first) setLive(false);
    },

    up() {
      if (this.downMessage === null) return;
      this.downMessage = null;
      renderBanner();
      // Back: whatever changed meanwhile shows at once, and the events loop stops waiting.
      refreshAll();
      if (wakeEvents) wakeEvents();
    },
  };

  function renderBanner() {
    const banner = $("daemon-status");
    banner.classList.remove("down", "refused", "degraded");
    if (connection.downMessage !== null) {
      // The relay's own message already starts "trainqd is not reachable at SOCKET: ...".
      const lead = "trainqd is not reachable";
      const message = connection.downMessage;
      banner.textContent = (message.startsWith(lead) ? message : lead + ": " + message) +
        (/[.!]$/.test(message) ? "" : ".") + " Trying again every " + HEALTH_EVERY_MS / 1000 + " s.";
      banner.classList.add("down");
      banner.hidden = false;
      $("submissions").classList.add("stale");
      $("depths").classList.add("stale");
    } else if (connection.healthProblem) {
      banner.textContent = connection.healthProblem.text;
      banner.classList.add(connection.healthProblem.kind);
      banner.hidden = false;
    } else {
      banner.hidden = true;
      banner.textContent = "";
    }
  }

  function setLive(on) {
    const live = $("live-status");
    live.classList.toggle("on", on);
    live.classList.toggle("off", !on);
    live.textContent = on ? "live" : "reconnecting…";
  }

  // ------------------------------------------------------------------ health, depths, chart samples

  let daemonStartedAt = null;
  let healthLoopRunning = false;

  async function loadHealth() {
    let health = null;
    try {
      health = await api("/api/v1/health");
      connection.healthProblem = null;
    } catch (error) {
      if (error.status === 503 && error.body && error.body.states) {
        // A degraded HealthView, not an envelope: the database cannot be read.
        health = error.body;
        connection.healthProblem = { kind: "degraded", text: "trainqd cannot read its database: " + health.database };
      } else if (!error.unreachable) {
        connection.healthProblem = { kind: "refused", text: "trainqd refused the dashboard: " + error.describe() };
      }
    }
    renderBanner();
    if (health) {
      $("depths").classList.remove("stale");
      applyHealth(health);
    }
  }

  function applyHealth(health) {
    $("daemon-version").textContent = "trainqd " + orDash(health.version);
    if (health.started_at) $("daemon-version").title = "started " + localTime(health.started_at);
    const mode = $("daemon-mode");
    mode.hidden = false;
    mode.classList.toggle("sim", health.simulated === true);
    mode.classList.toggle("real", health.simulated !== true);
    mode.textContent = health.simulated === true ? "simulated ModelArts" : "ModelArts";

    const states = health.states || {};
    for (const state of STATES) {
      const tile = document.querySelector('#depths [data-state="' + state + '"]');
      if (!tile) continue;
      const count = typeof states[state] === "number" ? states[state] : 0;
      tile.querySelector(".count").textContent = String(count);
      tile.classList.toggle("zero", count === 0);
    }

    const restarted = daemonStartedAt !== null && health.started_at !== daemonStartedAt;
    daemonStartedAt = health.started_at;
    sampleCalls(health, restarted);
    drawChart();
    if (restarted) refreshAll();
  }

  async function healthLoop() {
    if (healthLoopRunning) return;
    healthLoopRunning = true;
    for (;;) {
      try {
        await loadHealth();
      } catch (error) {
        console.warn("trainq dashboard:", error);
      }
      drawChart();
      await sleep(HEALTH_EVERY_MS);
    }
  }

  const scheduleHealth = throttled(loadHealth, 1000);

  // ------------------------------------------------------------------ the chart

  const chart = {
    openedAt: Date.now(),
    buckets: new Map(), // minute number → {submissions, calls}
    lastCalls: null,
    totalSubmissions: 0,
    totalCalls: 0,
    seen: new Set(),
  };

  function minuteOf(ms) {
    return Math.floor(ms / 60000);
  }

  function bump(series, at, amount) {
    const minute = minuteOf(at);
    let bucket = chart.buckets.get(minute);
    if (!bucket) {
      bucket = { submissions: 0, calls: 0 };
      chart.buckets.set(minute, bucket);
      for (const key of chart.buckets.keys()) {
        if (key < minute - CHART_MINUTES * 2) chart.buckets.delete(key);
      }
    }
    bucket[series] += amount;
    if (series === "calls") chart.totalCalls += amount;
    else chart.totalSubmissions += amount;
  }

  function sampleCalls(health, restarted) {
    const calls = health.activity && Array.isArray(health.activity.modelarts_calls) ? health.activity.modelarts_calls : null;
    if (!calls) return;
    let total = 0;
    for (const operation of calls) {
      const statuses = operation && operation.statuses ? operation.statuses : {};
      for (const key of Object.keys(statuses)) {
        if (typeof statuses[key] === "number") total += statuses[key];
      }
    }
    if (chart.lastCalls === null) {
      chart.lastCalls = total; // the baseline: only what happens from now on counts
    } else if (restarted) {
      bump("calls", Date.now(), total); // a new daemon counts from zero
      chart.lastCalls = total;
    } else if (total > chart.lastCalls) {
      bump("calls", Date.now(), total - chart.lastCalls);
      chart.lastCalls = total;
    }
  }

  // The creation time a ULID carries in its first 10 characters (milliseconds, Crockford base 32).
  function ulidTime(id) {
    const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    if (typeof id !== "string" || id.length < 10) return NaN;
    let time = 0;
    for (const character of id.slice(0, 10).toUpperCase()) {
      const digit = alphabet.indexOf(character);
      if (digit < 0) return NaN;
      time = time * 32 + digit;
    }
    return time;
  }

  // A new submission: the first event of an id not seen before, `queued`, and an id minted since the page
  // opened (a `retry` also goes back to `queued`, but its id is older).
  function noteEventForChart(event) {
    if (chart.seen.has(event.submission)) return;
    if (chart.seen.size > 100000) chart.seen.clear();
    chart.seen.add(event.submission);
    if (event.state !== "queued") return;
    const minted = ulidTime(event.submission);
    if (!Number.isNaN(minted) && minted < chart.openedAt - 60000) return;
    const at = Date.parse(event.at);
    bump("submissions", Number.isNaN(at) ? Date.now() : at, 1);
  }

  function niceCeiling(value) {
    if (value <= 1) return 1;
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 5, 10]) {
      if (value <= step * power) return step * power;
    }
    return 10 * power;
  }

  function drawChart() {
    const node = $("activity-chart");
    if (!node) return;
    const width = 420;
    const height = 140;
    const left = 30;
    const right = 10;
    const top = 10;
    const bottom = 20;
    const now = minuteOf(Date.now());
    const origin = now - (CHART_MINUTES - 1);
    const first = Math.max(origin, minuteOf(chart.openedAt));

    const submissions = [];
    const calls = [];
    let most = 0;
    for (let minute = first; minute <= now; minute++) {
      const bucket = chart.buckets.get(minute) || { submissions: 0, calls: 0 };
      submissions.push([minute, bucket.submissions]);
      calls.push([minute, bucket.calls]);
      most = Math.max(most, bucket.submissions, bucket.calls);
    }
    const ceiling = niceCeiling(most);
    const x = (minute) => left + ((minute - origin) * (width - left - right)) / (CHART_MINUTES - 1);
    const y = (value) => top + (height - top - bottom) * (1 - value / ceiling);
    const round = (number) => Math.round(number * 10) / 10;

    const parts = [];
    parts.push(svg("line", { class: "grid-line", x1: left, x2: width - right, y1: y(ceiling), y2: y(ceiling) }));
    parts.push(svg("line", { class: "grid-line", x1: left, x2: width - right, y1: y(ceiling / 2), y2: y(ceiling / 2) }));
    parts.push(svg("line", { class: "axis", x1: left, x2: width - right, y1: y(0), y2: y(0) }));
    parts.push(svg("line", { class: "axis", x1: left, x2: left, y1: top, y2: y(0) }));
    const label = (text, attributes) => {
      const node = svg("text", attributes);
      node.textContent = text;
      return node;
    };
    parts.push(label(String(ceiling), { x: left - 4, y: y(ceiling) + 3, "text-anchor": "end" }));
    parts.push(label("0", { x: left - 4, y: y(0) + 3, "text-anchor": "end" }));
    parts.push(label("-" + CHART_MINUTES + " min", { x: left, y: height - 5, "text-anchor": "start" }));
    parts.push(label("-15 min", { x: x(now - 15), y: height - 5, "text-anchor": "middle" }));
    parts.push(label("now", { x: width - right, y: height - 5, "text-anchor": "end" }));

    for (const [series, points] of [["series-calls", calls], ["series-submissions", submissions]]) {
      const line = svg("polyline", {
        class: series,
        points: points.map(([minute, value]) => round(x(minute)) + "," + round(y(value))).join(" "),
      });
      parts.push(line);
      const [lastMinute, lastValue] = points[points.length - 1];
      parts.push(svg("circle", { class: series, cx: round(x(lastMinute)), cy: round(y(lastValue)), r: 2.5 }));
    }
    node.replaceChildren(...parts);
    $("total-submissions").textContent = String(chart.totalSubmissions);
    $("total-calls").textContent = String(chart.totalCalls);
  }

  // ------------------------------------------------------------------ the list

  const list = {
    filters: { state: "", job: "", owner: "" },
    cursor: null, // the cursor of the page shown (null: the first)
    stack: [], // the cursors of the pages before it
    next: null,
    loads: 0,
  };

  async function loadList() {
    const ticket = ++list.loads;
    const query = new URLSearchParams();
    if (list.filters.state) query.set("state", list.filters.state);
    if (list.filters.job) query.set("job_id", list.filters.job);
    if (list.filters.owner) query.set("owner", list.filters.owner);
    query.set("limit", String(LIST_LIMIT));
    if (list.cursor) query.set("cursor", list.cursor);
    renderTileSelection();
    try {
      const page = await api("/api/v1/submissions?" + query.toString());
      if (ticket !== list.loads) return;
      showListError(null);
      renderList(page || {});
    } catch (error) {
      if (ticket !== list.loads) return;
      if (error.unreachable) {
        $("submissions").classList.add("stale"); // the banner says why
        return;
      }
      showListError(error);
      if (error.status === 400) {
        $("submissions").tBodies[0].replaceChildren();
        list.next = null;
        renderPager(0);
      }
    }
  }

  const scheduleListRefresh = throttled(loadList, REFRESH_GAP_MS);

  /** Shows an error's words in one of the page's error boxes, or hides the box when there is none. */
  function showErrorIn(boxID, error) {
    const box = $(boxID);
    if (!error) {
      box.hidden = true;
      box.textContent = "";
      return;
    }
    box.textContent = error.describe();
    box.hidden = false;
  }

  function showListError(error) {
    showErrorIn("list-error", error);
  }

  function renderList(page) {
    const submissions = Array.isArray(page.submissions) ? page.submissions : [];
    const rows = submissions.map(listRow);
    const table = $("submissions");
    table.tBodies[0].replaceChildren(...rows);
    table.classList.remove("stale");
    $("list-empty").hidden = rows.length > 0;
    list.next = typeof page.next_cursor === "string" && page.next_cursor ? page.next_cursor : null;
    renderPager(rows.length);
    $("last-update").textContent = "updated " + localTime(new Date().toISOString());
  }

  function listRow(submission) {
    const row = el("tr");
    row.dataset.id = String(submission.id);
    const idCell = el("td", "id");
    const link = el("a", null, submission.id);
    link.href = "#/submissions/" + encodeURIComponent(String(submission.id));
    idCell.appendChild(link);
    row.appendChild(idCell);
    const state = el("td", "state " + stateClass(submission.state), submission.state);
    if (submission.reason) state.title = String(submission.reason);
    row.appendChild(state);
    row.appendChild(el("td", "job", jobText(submission)));
    row.appendChild(el("td", "version", versionText(submission)));
    row.appendChild(el("td", "remote", remoteText(submission.remote_status)));
    const owner = el("td", "owner", submission.owner ? submission.owner.user : "-");
    if (submission.owner) owner.title = "uid " + submission.owner.uid;
    row.appendChild(owner);
    row.appendChild(timeCell(submission.created_at));
    row.lastChild.classList.add("created");
    row.appendChild(timeCell(submission.updated_at));
    row.lastChild.classList.add("updated");
    return row;
  }

  function renderPager(count) {
    $("next-page").disabled = list.next === null;
    $("prev-page").disabled = list.stack.length === 0;
    $("first-page").disabled = list.stack.length === 0;
    const pageNumber = list.stack.length + 1;
    $("page-info").textContent = "page " + pageNumber + " · " + count + (count === 1 ? " submission" : " submissions");
  }

  function renderTileSelection() {
    for (const tile of document.querySelectorAll("#depths [data-state]")) {
      tile.classList.toggle("selected", tile.dataset.state === list.filters.state);
    }
  }

  function readFilters() {
    const job = $("filter-job");
    if (job.validity && job.validity.badInput) return { error: "job must be a positive integer" };
    return {
      state: $("filter-state").value,
      job: job.value.trim(),
      owner: $("filter-owner").value.trim(),
    };
  }

  function applyFilters(force) {
    const filters = readFilters();
    if (filters.error) {
      showListError(new ApiError(400, "bad_request", filters.error));
      return;
    }
    const same = filters.state === list.filters.state && filters.job === list.filters.job &&
      filters.owner === list.filters.owner;
    if (same && !force) return;
    list.filters = filters;
    list.cursor = null;
    list.stack = [];
    list.next = null;
    if (parseRoute().name !== "list") {
      location.hash = "#/";
      return; // the hash change loads the list
    }
    loadList();
  }

  function wireList() {
    $("filters").addEventListener("submit", (event) => {
      event.preventDefault();
      applyFilters(true);
    });
    $("filter-state").addEventListener("change", () => applyFilters(false));
    $("filter-job").addEventListener("change", () => applyFilters(false));
    $("filter-owner").addEventListener("change", () => applyFilters(false));
    $("clear-filters").addEventListener("click", () => {
      $("filter-state").value = "";
      $("filter-job").value = "";
      $("filter-owner").value = "";
      applyFilters(true);
    });
    $("next-page").addEventListener("click", () => {
      if (list.next === null) return;
      list.stack.push(list.cursor);
      list.cursor = list.next;
      loadList();
    });
    $("prev-page").addEventListener("click", () => {
      if (list.stack.length === 0) return;
      list.cursor = list.stack.pop();
      loadList();
    });
    $("first-page").addEventListener("click", () => {
      list.stack = [];
      list.cursor = null;
      loadList();
    });
    // A click anywhere on a row opens it (unless text is being selected).
    $("submissions").tBodies[0].addEventListener("click", (event) => {
      if (event.target.closest("a")) return;
      const row = event.target.closest("tr[data-id]");
      const selection = window.getSelection ? String(window.getSelection()) : "";
      if (row && !selection) location.hash = "#/submissions/" + encodeURIComponent(row.dataset.id);
    });
    for (const tile of document.querySelectorAll("#depths [data-state]")) {
      tile.addEventListener("click", () => {
        const state = tile.dataset.state;
        $("filter-state").value = list.filters.state === state ? "" : state;
        applyFilters(true);
      });
    }
  }

  // ------------------------------------------------------------------ one submission

  const view = {
    id: null,
    submission: null,
    loads: 0,
    busy: false,
  };

  async function loadSubmission() {
    const id = view.id;
    if (!id) return;
    const ticket = ++view.loads;
    try {
      const submission = await api("/api/v1/submissions/" + encodeURIComponent(id));
      if (ticket !== view.loads || id !== view.id) return;
      showSubmissionError(null);
      renderSubmission(submission);
    } catch (error) {
      if (ticket !== view.loads || id !== view.id) return;
      if (error.unreachable) return; // the banner says why; what is shown stays
      showSubmissionError(error);
      if (error.status === 404) {
        view.submission = null;
        $("submission-body").hidden = true;
      }
    }
  }

  const scheduleViewRefresh = throttled(loadSubmission, REFRESH_GAP_MS);

  function showSubmissionError(error) {
    showErrorIn("submission-error", error);
  }

  function showActionError(error) {
    const box = $("action-error");
    if (!error) {
      box.hidden = true;
      box.textContent = "";
      return;
    }
    box.textContent = (error.status ? error.status + " " + error.kind + ": " : "") + error.describe();
    box.hidden = false;
  }

  function clearSubmission() {
    view.submission = null;
    $("submission-id").textContent = view.id || "";
    const state = $("submission-state");
    state.textContent = "";
    setStateClass(state, "");
    $("submission-reason").textContent = "";
    for (const id of ["submission-owner", "submission-job", "submission-project", "submission-version",
      "submission-remote", "submission-created", "submission-updated", "submission-next-attempt"]) {
      $(id).textContent = "";
    }
    $("request").textContent = "";
    $("attempts").tBodies[0].replaceChildren();
    $("timeline").replaceChildren();
    $("attempts-empty").hidden = true;
    showActionError(null);
    showSubmissionError(null);
    renderActions();
    $("submission-body").hidden = false;
  }

  function setText(id, text, title) {
    const node = $(id);
    node.textContent = text;
    if (title) node.title = title;
    else node.removeAttribute("title");
  }

  function renderSubmission(s) {
    view.submission = s;
    $("submission-body").hidden = false;
    $("submission-id").textContent = String(s.id);
    const state = $("submission-state");
    state.textContent = String(s.state);
    setStateClass(state, s.state);
    $("submission-reason").textContent = s.reason ? String(s.reason) : "";
    setText("submission-owner", s.owner ? s.owner.user + " (uid " + s.owner.uid + ")" : "-");
    setText("submission-job", jobText(s));
    setText("submission-project", orDash(s.project_id));
    let version = versionText(s);
    if (s.version_name && s.version_id !== null && s.version_id !== undefined) version += " (id " + s.version_id + ")";
    setText("submission-version", version);
    let remote = remoteText(s.remote_status);
    if (s.remote_status && s.remote_status.at) remote += " since " + localTime(s.remote_status.at);
    setText("submission-remote", remote, s.remote_status && s.remote_status.at);
    setText("submission-created", localTime(s.created_at), s.created_at);
    setText("submission-updated", localTime(s.updated_at), s.updated_at);
    setText("submission-next-attempt", s.next_attempt_at ? localTime(s.next_attempt_at) : "-", s.next_attempt_at);
    $("request").textContent = JSON.stringify(s.request, null, 2);
    renderAttempts(Array.isArray(s.attempts) ? s.attempts : []);
    renderTimeline(Array.isArray(s.history) ? s.history : []);
    renderActions();
    document.title = "trainq · " + s.id + " · " + s.state;
    $("last-update").textContent = "updated " + localTime(new Date().toISOString());
  }

  function renderAttempts(attempts) {
    const rows = attempts.map((attempt) => {
      const row = el("tr");
      row.appendChild(el("td", "number", orDash(attempt.number)));
      row.appendChild(timeCell(attempt.started_at));
      row.appendChild(timeCell(attempt.finished_at));
      const outcome = el("td", "outcome", attempt.outcome ? attempt.outcome : "running");
      row.appendChild(outcome);
      row.appendChild(el("td", "http-status", orDash(attempt.http_status)));
      row.appendChild(el("td", "error-code", orDash(attempt.error_code)));
      row.appendChild(el("td", "message", orDash(attempt.message)));
      row.appendChild(el("td", "request-id mono", orDash(attempt.request_id)));
      row.appendChild(el("td", "delay", typeof attempt.delay_ms === "number" ? formatDuration(attempt.delay_ms) : "-"));
      return row;
    });
    $("attempts").tBodies[0].replaceChildren(...rows);
    $("attempts-empty").hidden = rows.length > 0;
  }

  function renderTimeline(history) {
    let previous = null;
    const items = history.map((entry) => {
      const item = el("li", stateClass(entry.state));
      item.dataset.state = String(entry.state);
      const at = Date.parse(entry.at);
      if (previous !== null && !Number.isNaN(at)) item.appendChild(el("span", "delta", "+" + formatDuration(at - previous)));
      if (!Number.isNaN(at)) previous = at;
      const time = el("span", "time", localTime(entry.at, true));
      time.title = String(entry.at);
      item.appendChild(time);
      item.appendChild(el("span", "state-name", entry.state));
      if (entry.remote_status) item.appendChild(el("span", "remote", remoteText(entry.remote_status)));
      if (entry.reason) item.appendChild(el("span", "reason-text", entry.reason));
      return item;
    });
    $("timeline").replaceChildren(...items);
  }

  function renderActions() {
    const state = view.submission ? view.submission.state : null;
    $("cancel").hidden = !CANCELABLE.has(state);
    $("retry").hidden = !RETRYABLE.has(state);
    const attention = state === "needs_attention";
    $("resolve-adopt").hidden = !attention;
    $("resolve-requeue").hidden = !attention;
    $("resolve-cancel").hidden = !attention;
    for (const id of ["cancel", "retry", "resolve-adopt", "resolve-requeue", "resolve-cancel"]) {
      $(id).disabled = view.busy;
    }
  }

  async function act(action, body) {
    const id = view.id;
    if (!id || view.busy) return;
    view.busy = true;
    renderActions();
    showActionError(null);
    try {
      const options = { method: "POST" };
      if (body !== undefined) options.body = body;
      const submission = await api("/api/v1/submissions/" + encodeURIComponent(id) + "/" + action, options);
      if (id === view.id && submission && submission.id) {
        view.loads++; // an older load in flight must not paint over this answer
        renderSubmission(submission);
      }
      scheduleHealth();
    } catch (error) {
      if (id === view.id) {
        showActionError(error);
        if (error.kind === "invalid_state") scheduleViewRefresh(); // it changed meanwhile: look again
      }
    } finally {
      view.busy = false;
      renderActions();
    }
  }

  function wireActions() {
    $("cancel").addEventListener("click", () => act("cancel"));
    $("retry").addEventListener("click", () => act("retry"));
    $("resolve-requeue").addEventListener("click", () => act("resolve", JSON.stringify({ action: "requeue" })));
    $("resolve-cancel").addEventListener("click", () => act("resolve", JSON.stringify({ action: "cancel" })));
    $("resolve-adopt").addEventListener("click", () => {
      const answer = window.prompt("Adopt which ModelArts version id as this submission's version?");
      if (answer === null) return;
      const digits = answer.trim();
      if (!/^[1-9][0-9]{0,18}$/.test(digits)) {
        showActionError(new ApiError(0, "bad_request", "a version id is a positive integer, not '" + answer + "'"));
        return;
      }
      // Written out by hand so a large id keeps every digit.
      act("resolve", '{"action":"adopt","version_id":' + digits + "}");
    });
  }

  // ------------------------------------------------------------------ live updates

  let eventsLoopRunning = false;
  let wakeEvents = null; // ends the events loop's back-off early once the daemon answers again

  function backOff(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeEvents = null;
        resolve();
      }
      wakeEvents = done;
    });
  }

  async function eventsLoop() {
    if (eventsLoopRunning) return; // never two loops
    eventsLoopRunning = true;
    let after = null;
    let backoff = 0;
    for (;;) {
      const started = Date.now();
      try {
        if (after === null) {
          const head = await api("/api/v1/events?after=" + AFTER_EVERYTHING + "&timeout=0s");
          after = typeof head.last_seq === "number" ? head.last_seq : 0;
          backoff = 0;
          setLive(true);
          continue;
        }
        const page = await api("/api/v1/events?after=" + after + "&timeout=" + EVENTS_TIMEOUT);
        backoff = 0;
        setLive(true);
        const events = page && Array.isArray(page.events) ? page.events : [];
        if (events.length > 0) {
          for (const event of events) {
            if (typeof event.seq === "number" && event.seq > after) after = event.seq;
          }
          handleEvents(events);
        } else if (page && typeof page.last_seq === "number" && page.last_seq < after) {
          // A different database behind the socket: start over from its end.
          after = page.last_seq;
          refreshAll();
        }
        if (events.length === 0 && Date.now() - started < 250) await sleep(BACKOFF_FIRST_MS);
      } catch (error) {
        setLive(false);
        backoff = backoff === 0 ? BACKOFF_FIRST_MS : Math.min(backoff * 2, BACKOFF_MAX_MS);
        await backOff(backoff);
      }
    }
  }

  function handleEvents(events) {
    for (const event of events) noteEventForChart(event);
    drawChart();
    const current = parseRoute();
    if (current.name === "list") scheduleListRefresh();
    else if (events.some((event) => event.submission === view.id)) scheduleViewRefresh();
    scheduleHealth();
  }

  function refreshAll() {
    if (parseRoute().name === "list") scheduleListRefresh();
    else scheduleViewRefresh();
    scheduleHealth();
  }

  // ------------------------------------------------------------------ routing

  function parseRoute() {
    const match = /^#\/submissions\/([^/?#]+)\/?$/.exec(location.hash);
    if (match) {
      let id = match[1];
      try {
        id = decodeURIComponent(id);
      } catch (error) {
        // keep it as written
      }
      return { name: "submission", id };
    }
    return { name: "list" };
  }

  function route() {
    const current = parseRoute();
    if (current.name === "submission") {
      $("list-view").hidden = true;
      $("submission-view").hidden = false;
      if (view.id !== current.id) {
        view.id = current.id;
        view.loads++;
        clearSubmission();
        document.title = "trainq · " + current.id;
        window.scrollTo(0, 0);
      }
      loadSubmission();
    } else {
      view.id = null;
      view.loads++;
      view.submission = null;
      $("submission-view").hidden = true;
      $("list-view").hidden = false;
      document.title = "trainq";
      loadList();
    }
  }

  // ------------------------------------------------------------------ start

  function start() {
    wireList();
    wireActions();
    window.addEventListener("hashchange", route);
    setLive(false);
    $("live-status").textContent = "connecting…";
    drawChart();
    route();
    healthLoop();
    eventsLoop();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
