// The show page: a player for each episode, one playing at a time, keyboard shortcuts, dates in the
// reader's language, and (served over http(s)) an installable app whose saved episodes play offline.
var WORDS = __WORDS__, SHOW = __SHOW__, EPISODES = __EPISODES__;
var players = [];

function openTranscript(player) {
  var details = player.box.querySelector('details.ac-details');
  if (details && !details.open) {
    details.open = true;
    player.update(true);
  }
}

document.querySelectorAll('article.episode').forEach(function (box) {
  players.push(articastPlayer(box, {
    words: WORDS, title: box.dataset.title, show: SHOW.title, artwork: SHOW.artwork, remember: true,
    onplay: function (player) {
      players.forEach(function (other) { if (other !== player) other.audio.pause(); });
      openTranscript(player);
    },
    onspeed: function (rate) { players.forEach(function (player) { player.setSpeed(rate); }); },
    onerror: function (player) {
      if (!player.box.classList.contains('ac-off')) say(player, WORDS.loadFailed);
    }
  }));
});

function say(player, text) { player.box.querySelector('.ac-status').textContent = text; }

// Space plays or pauses, the arrows skip, with Shift they go by chapter; form controls keep their keys.
document.addEventListener('keydown', function (event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || !players.length) return;
  var el = event.target, tag = el && el.tagName;
  if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || (el && el.isContentEditable)) return;
  var player = articastPlayer.active || players[0];
  if (player.box.classList.contains('ac-off')) return;
  if (event.key === ' ') {
    if (tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY') return;
    event.preventDefault();
    player.toggle();
  } else if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
    event.preventDefault();
    var step = event.key === 'ArrowLeft' ? -1 : 1;
    if (event.shiftKey) player.chapterStep(step); else player.skip(step < 0 ? -15 : 30);
  }
});

// Dates as the reader's language writes them (the page has them in English for a browser without Intl).
document.querySelectorAll('time[datetime]').forEach(function (time) {
  try {
    var lang = time.closest('[lang]').getAttribute('lang');
    time.textContent = new Intl.DateTimeFormat(lang, {dateStyle: 'long', timeZone: 'UTC'})
      .format(new Date(time.getAttribute('datetime') + 'T00:00:00Z'));
  } catch (error) {}
});

// An episode loads its length once it can play: at once from disk, when served once it is known to be
// saved or the network is there (an offline page asks for nothing it cannot have).
function loadable() {
  players.forEach(function (player) {
    if (!player.box.classList.contains('ac-off') && player.audio.preload !== 'metadata') player.audio.preload = 'metadata';
  });
}

if (!('serviceWorker' in navigator && /^https?:$/.test(location.protocol) && window.caches)) {
  loadable();
} else {
  var manifest = document.createElement('link');
  manifest.rel = 'manifest';
  manifest.href = 'manifest.webmanifest';
  document.head.appendChild(manifest);
  navigator.serviceWorker.register('sw.js').catch(function () {});

  var address = function (player) { return new URL(player.audio.getAttribute('src'), location.href).href; };
  var showSaved = function (player) {
    var button = player.box.querySelector('.ac-save');
    button.dataset.saved = player.saved ? 'yes' : 'no';
    button.textContent = player.saved ? WORDS.saved : WORDS.save;
  };
  // Offline, an episode that is not saved says so and offers no control that cannot play it.
  var offline = function () {
    players.forEach(function (player) {
      var off = !navigator.onLine && !player.saved;
      if (off === player.box.classList.contains('ac-off')) return;
      player.box.classList.toggle('ac-off', off);
      say(player, off ? WORDS.notSaved : '');
      player.box.querySelectorAll('.ac-chapter').forEach(function (button) { button.disabled = off; });
      // (its sentences are no longer links: the transcript itself takes the focus, to be scrolled)
      var transcript = player.box.querySelector('.ac-transcript');
      if (transcript) { if (off) transcript.tabIndex = 0; else transcript.removeAttribute('tabindex'); }
      player.box.querySelectorAll('.ac-s').forEach(function (link) {
        if (off) link.removeAttribute('href'); else link.setAttribute('href', '#t=' + link.dataset.start);
      });
    });
    loadable();
  };
  var reason = function (error, status) {
    if (status) return fill(WORDS.serverAnswered, status);
    if (error && error.name === 'QuotaExceededError') return WORDS.noSpace;
    return WORDS.noConnection;
  };
  var save = function (player) {
    var button = player.box.querySelector('.ac-save');
    if (player.saved || button.disabled) return;
    button.disabled = true;
    button.textContent = WORDS.saving;
    var status = 0;
    fetch(address(player)).then(function (response) {
      if (!response.ok) { status = response.status; throw new Error(String(status)); }
      return caches.open(EPISODES).then(function (cache) { return cache.put(address(player), response); });
    }).then(function () {
      player.saved = true;
      say(player, '');
    }, function (error) {
      say(player, fill(WORDS.saveFailed, reason(error, status)));
    }).then(function () {
      button.disabled = false;
      showSaved(player);
      offline();
    });
  };
  var checks = players.map(function (player) {
    var button = player.box.querySelector('.ac-save');
    button.hidden = false;
    button.addEventListener('click', function () { save(player); });
    player.audio.addEventListener('play', function () { save(player); }, {once: true});
    return caches.open(EPISODES).then(function (cache) { return cache.match(address(player)); })
      .then(function (found) { player.saved = !!found; showSaved(player); }, function () {});
  });
  Promise.all(checks).then(offline).then(loadable);
  window.addEventListener('online', offline);
  window.addEventListener('offline', offline);
}
