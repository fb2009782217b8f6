// The read-along player, shared by the show page (index.html) and embed.js: one episode's <audio>,
// its controls, chapters and transcript sentences, found in `box` by their ac- classes.
var SPEEDS = [0.8, 1, 1.2, 1.5, 1.75, 2, 2.5];
var SPEED_KEY = 'articast:speed';

function clock(seconds) {
  seconds = Math.max(0, Math.floor(seconds || 0));
  var h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
  return (h ? h + ':' + String(m).padStart(2, '0') : String(m)) + ':' + String(s).padStart(2, '0');
}

function fill(template, value, other) {
  return template.replace('{0}', value).replace('{1}', other === undefined ? '' : other);
}

function storedSpeed() {
  try {
    var speed = parseFloat(localStorage.getItem(SPEED_KEY));
    return SPEEDS.indexOf(speed) >= 0 ? speed : 1;
  } catch (error) { return 1; }
}

// The index of the last item (sorted by start) that starts at or before t, or -1.
function lastAtOrBefore(items, t) {
  var low = 0, high = items.length - 1, found = -1;
  while (low <= high) {
    var middle = (low + high) >> 1;
    if (items[middle].start <= t + 0.01) { found = middle; low = middle + 1; } else { high = middle - 1; }
  }
  return found;
}

function timed(elements) {
  return Array.prototype.map.call(elements, function (el) {
    return {el: el, start: parseFloat(el.dataset.start), title: el.dataset.title || el.textContent};
  }).sort(function (a, b) { return a.start - b.start; });
}

var reducedMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

// opts: words (the interface's words), title, show, artwork (Media Session images), chapters (when the
// box lists none: [{start, title}]), remember (keep the place in this browser), onplay(player),
// onspeed(rate), onsentence(element or null, index), onerror(player).
function articastPlayer(box, opts) {
  function $(selector) { return box.querySelector(selector); }
  var words = opts.words;
  var audio = $('audio'), play = $('.ac-play'), seek = $('.ac-seek'), now = $('.ac-now'), speed = $('.ac-speed');
  var scroller = $('.ac-transcript');
  var sentences = timed(box.querySelectorAll('.ac-s'));
  var chapters = box.querySelector('.ac-chapter') ? timed(box.querySelectorAll('.ac-chapter'))
    : (opts.chapters || []).map(function (c) { return {el: null, start: c.start, title: c.title}; });
  var current = -1, chapter = -1, frame = 0, dragging = false, engaged = false;
  var player = {box: box, audio: audio, saved: false};

  function length() {
    return isFinite(audio.duration) && audio.duration > 0 ? audio.duration : parseFloat(box.dataset.duration) || 0;
  }

  function inView(el) {
    var r = el.getBoundingClientRect(), s = scroller.getBoundingClientRect();
    return r.bottom > s.top && r.top < s.bottom;
  }

  // The sentence being spoken stays in view inside the transcript, unless the reader scrolled away
  // from it (the one before was out of view): then the transcript is left where the reader put it.
  function keepInView(before, after, always) {
    if (!scroller || after < 0 || scroller.clientHeight === 0) return;
    if (!always && before >= 0 && !inView(sentences[before].el)) return;
    var r = sentences[after].el.getBoundingClientRect(), s = scroller.getBoundingClientRect();
    if (!always && r.top >= s.top + s.height * 0.1 && r.bottom <= s.bottom - s.height * 0.25) return;
    scroller.scrollTo({top: scroller.scrollTop + (r.top - s.top) - s.height / 3,
                       behavior: reducedMotion ? 'auto' : 'smooth'});
  }

  function session() {
    if (!('mediaSession' in navigator) || articastPlayer.active !== player) return;
    var here = chapter >= 0 ? chapters[chapter].title : '';
    var init = {title: opts.title, artist: opts.show, album: here || opts.show, artwork: opts.artwork || [],
                chapterInfo: chapters.map(function (c) { return {title: c.title, startTime: c.start}; })};
    try { navigator.mediaSession.metadata = new MediaMetadata(init); } catch (error) {}
  }

  function position() {
    if (!('mediaSession' in navigator) || articastPlayer.active !== player || !length()) return;
    try {
      navigator.mediaSession.setPositionState({duration: length(), playbackRate: audio.playbackRate,
                                               position: Math.min(audio.currentTime, length())});
    } catch (error) {}
  }

  var shown = '';
  function update(always) {
    var t = audio.currentTime, total = length();
    // The time and the slider change once a second, not on every frame (nor does what a screen reader hears).
    var second = Math.floor(t) + '/' + Math.floor(total);
    if (second !== shown || always) {
      shown = second;
      now.textContent = clock(t);
      if (!dragging) { seek.max = String(Math.max(1, Math.floor(total))); seek.value = String(Math.floor(t)); }
      seek.setAttribute('aria-valuetext', fill(words.of, clock(t), clock(total)));
    }
    if (!engaged) return;  // nothing is marked in an episode not played yet
    var i = lastAtOrBefore(sentences, t);
    if (i !== current) {
      if (current >= 0) sentences[current].el.removeAttribute('aria-current');
      if (i >= 0) sentences[i].el.setAttribute('aria-current', 'true');
      var before = current;
      current = i;
      keepInView(before, i, false);
      if (opts.onsentence) opts.onsentence(i >= 0 ? sentences[i].el : null, i);
    } else if (always) {
      keepInView(-1, i, true);
    }
    var c = lastAtOrBefore(chapters, t);
    if (c !== chapter) {
      if (chapter >= 0 && chapters[chapter].el) chapters[chapter].el.removeAttribute('aria-current');
      if (c >= 0 && chapters[c].el) chapters[c].el.setAttribute('aria-current', 'true');
      chapter = c;
      session();
    }
  }

  function loop() {
    update(false);
    frame = audio.paused ? 0 : requestAnimationFrame(loop);
  }

  function start() {
    var playing = audio.play();
    if (playing && playing.catch) playing.catch(function () {});
  }

  function seekTo(t) {
    engaged = true;
    audio.currentTime = Math.max(0, Math.min(t, length() || t));
    update(false);
  }

  player.toggle = function () { if (audio.paused) start(); else audio.pause(); };
  player.play = start;
  player.seekTo = seekTo;
  player.skip = function (seconds) { seekTo(audio.currentTime + seconds); };
  player.chapterStep = function (step) {
    if (!chapters.length) return;
    var i = lastAtOrBefore(chapters, audio.currentTime);
    var to = step < 0 && i >= 0 && audio.currentTime - chapters[i].start > 3 ? i : i + step;
    if (to >= 0 && to < chapters.length) seekTo(chapters[to].start);
    else if (to < 0) seekTo(0);
  };
  player.setSpeed = function (rate) {
    audio.playbackRate = audio.defaultPlaybackRate = rate;
    speed.value = String(rate);
  };
  player.update = update;

  audio.controls = false;
  $('.ac-controls').hidden = false;
  player.setSpeed(storedSpeed());

  play.addEventListener('click', player.toggle);
  $('.ac-back').addEventListener('click', function () { player.skip(-15); });
  $('.ac-forward').addEventListener('click', function () { player.skip(30); });
  speed.addEventListener('change', function () {
    var rate = parseFloat(speed.value);
    try { localStorage.setItem(SPEED_KEY, String(rate)); } catch (error) {}
    if (opts.onspeed) opts.onspeed(rate); else player.setSpeed(rate);
  });
  seek.addEventListener('input', function () {
    dragging = true;
    audio.currentTime = parseFloat(seek.value);
    now.textContent = clock(audio.currentTime);
  });
  seek.addEventListener('change', function () { dragging = false; update(true); });
  box.addEventListener('click', function (event) {
    var target = event.target.closest && event.target.closest('.ac-s, .ac-chapter');
    if (!target) return;
    event.preventDefault();
    if (box.classList.contains('ac-off')) return;
    seekTo(parseFloat(target.dataset.start));
    start();
  });

  audio.addEventListener('play', function () {
    engaged = true;
    articastPlayer.active = player;
    box.classList.add('ac-playing');
    play.setAttribute('aria-label', words.pause);
    if ('mediaSession' in navigator) {
      var handlers = {
        play: start,
        pause: function () { audio.pause(); },
        seekbackward: function (d) { player.skip(-((d && d.seekOffset) || 15)); },
        seekforward: function (d) { player.skip((d && d.seekOffset) || 30); },
        seekto: function (d) { seekTo(d.seekTime); },
        previoustrack: function () { player.chapterStep(-1); },
        nexttrack: function () { player.chapterStep(1); }
      };
      Object.keys(handlers).forEach(function (name) {
        try { navigator.mediaSession.setActionHandler(name, handlers[name]); } catch (error) {}
      });
      navigator.mediaSession.playbackState = 'playing';
    }
    session();
    position();
    if (opts.onplay) opts.onplay(player);
    if (!frame) frame = requestAnimationFrame(loop);
  });
  audio.addEventListener('pause', function () {
    box.classList.remove('ac-playing');
    play.setAttribute('aria-label', words.play);
    if ('mediaSession' in navigator && articastPlayer.active === player) navigator.mediaSession.playbackState = 'paused';
    update(false);
  });
  audio.addEventListener('seeked', function () { engaged = true; });
  ['timeupdate', 'seeked', 'durationchange', 'loadedmetadata'].forEach(function (name) {
    audio.addEventListener(name, function () { if (!frame) update(false); });
  });
  ['seeked', 'ratechange', 'durationchange'].forEach(function (name) { audio.addEventListener(name, position); });
  audio.addEventListener('ratechange', function () { speed.value = String(audio.playbackRate); });
  audio.addEventListener('error', function () { if (opts.onerror) opts.onerror(player); });

  if (opts.remember) remember(audio);
  update(false);
  return player;
}

// The place in each episode is kept in this browser and resumed when the page is opened again.
function remember(audio) {
  var key = 'articast:place:' + audio.getAttribute('src'), last = 0;
  function keep() {
    try {
      if (audio.ended) localStorage.removeItem(key);
      else if (audio.currentTime > 0) localStorage.setItem(key, String(audio.currentTime));
    } catch (error) {}
  }
  audio.addEventListener('timeupdate', function () {
    if (Math.abs(audio.currentTime - last) >= 2) { last = audio.currentTime; keep(); }
  });
  ['pause', 'seeked', 'ended'].forEach(function (name) { audio.addEventListener(name, keep); });
  function resume() {
    var place = 0;
    try { place = parseFloat(localStorage.getItem(key) || '0'); } catch (error) {}
    if (place > 0 && (!audio.duration || place < audio.duration - 1)) audio.currentTime = place;
  }
  if (audio.readyState >= 1) resume(); else audio.addEventListener('loadedmetadata', resume, {once: true});
}
