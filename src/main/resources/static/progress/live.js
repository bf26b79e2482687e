// The live progress page (/upgrades/{id}): polls GET /api/upgrades/{id}/progress every second and redraws the
// zone rows. Loaded from this service only (the page's Content-Security-Policy allows nothing else); text goes
// in through textContent, never as HTML, so nothing the engine holds can become markup.
(function () {
  'use strict';
  var POLL_MS = 1000;
  var id = decodeURIComponent(location.pathname.replace(/\/+$/, '').split('/').pop());
  // from the origin, which never carries a user: a page opened with the user and password in its address would
  // otherwise resolve its calls with them, and fetch refuses such addresses
  var api = location.origin + '/api/upgrades/' + encodeURIComponent(id) + '/progress';

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  function elapsed(s) {
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + sec + 's';
  }

  function link(cls, href, text, title) {
    var a = el('a', cls, text);
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener';
    if (title) { a.title = title; }
    return a;
  }

  function links(list, approvals, incidents) {
    approvals.forEach(function (a) {
      var li = el('li');
      li.appendChild(link('tasklist', a.link, 'Tasklist: ' + a.name));
      list.appendChild(li);
    });
    incidents.forEach(function (i) {
      var li = el('li');
      li.appendChild(link('cockpit', i.link, 'Cockpit: incident', i.message));
      var msg = (i.message || '').split('\n')[0];
      li.appendChild(el('span', 'message', ' ' + (msg.length > 160 ? msg.substring(0, 160) + '…' : msg)));
      list.appendChild(li);
    });
  }

  function row(z) {
    var state = z.state.toLowerCase();
    var tr = el('tr', 'row-' + state);
    tr.dataset.zoneId = z.zoneId;
    tr.dataset.state = state;
    tr.dataset.done = z.stepsDone;
    tr.dataset.total = z.stepsTotal;
    tr.appendChild(el('td', 'zone', z.zoneName + (z.master ? ' (master)' : '') + ' · ' + z.zoneId));
    var st = el('td');
    st.appendChild(el('span', 'state state-' + state, state.replace('_', ' ')));
    tr.appendChild(st);
    var bar = el('td', 'bar');
    var p = el('progress');
    p.max = Math.max(1, z.stepsTotal);
    p.value = z.stepsDone;
    bar.appendChild(p);
    bar.appendChild(el('span', 'count', z.stepsTotal ? z.stepsDone + '/' + z.stepsTotal : 'plan not rendered yet'));
    tr.appendChild(bar);
    tr.appendChild(el('td', 'step', z.currentStep || ''));
    tr.appendChild(el('td', 'elapsed', z.started ? elapsed(z.elapsedSeconds) : ''));
    var ls = el('td');
    var ul = el('ul', 'links');
    links(ul, z.approvals, z.incidents);
    ls.appendChild(ul);
    tr.appendChild(ls);
    return tr;
  }

  function show(p) {
    document.title = 'Upgrade ' + p.upgradeId + ': ' + p.state;
    document.getElementById('summary').textContent = (p.fromVersion || '?') + ' → ' + (p.targetVersion || '?')
        + ' · ' + p.state + (p.outcome && p.outcome.toLowerCase() !== p.state ? ' (' + p.outcome + ')' : '') + ' · ' + elapsed(p.elapsedSeconds)
        + ' · zones done: ' + p.zones.filter(function (z) { return z.state === 'DONE'; }).length + '/' + p.zones.length;
    document.body.dataset.state = p.state;
    document.getElementById('federation-step').textContent = p.currentStep ? 'Federation: ' + p.currentStep : '';
    var fa = document.getElementById('federation-approvals');
    var fi = document.getElementById('federation-incidents');
    fa.replaceChildren();
    fi.replaceChildren();
    links(fa, p.approvals.filter(function (a) { return !a.zone; }), []);
    links(fi, [], p.incidents.filter(function (i) { return !i.zone; }));
    var body = document.querySelector('#zones tbody');
    body.replaceChildren.apply(body, p.zones.map(row));
  }

  function poll() {
    fetch(api, { cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (b) { return { status: r.status, body: b }; });
      })
      .then(function (r) {
        var err = document.getElementById('error');
        if (r.status !== 200) {
          err.hidden = false;
          err.textContent = 'GET /api/upgrades/' + id + '/progress answered ' + r.status + (r.body.message ? ': ' + r.body.message : '');
          setTimeout(poll, POLL_MS * 5);
          return;
        }
        err.hidden = true;
        show(r.body);
        if (!r.body.ended) { setTimeout(poll, POLL_MS); }
      })
      .catch(function (e) {
        var err = document.getElementById('error');
        err.hidden = false;
        err.textContent = 'the service does not answer (' + e + '); retrying';
        setTimeout(poll, POLL_MS * 5);
      });
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.getElementById('upgrade-id').textContent = id;
    document.getElementById('report-link').href = '/api/upgrades/' + encodeURIComponent(id) + '/report';
    poll();
  });
}());
