/* 视频调解 join page. One page for parties (link from the SMS + one-time code, no account) and
   the mediator (opened from the console with the seat the staff API gave).

   Media path by provider:
   - "local" (make run): WebRTC peer connections between the browsers; the local server only
     relays signalling (/api/meetings/relay/...). Parties wait in a lobby until the mediator
     admits them; the mediator can remove anyone.
   - "chime" (cloud): the Chime SDK meeting and attendee the API returned. The browser side
     needs amazon-chime-sdk-js, which this build does not bundle (docs/mediation.md). */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var hash = new URLSearchParams(location.hash.slice(1));
  var matterId = hash.get("m"), sessionId = hash.get("s");
  var seat = null;
  try { if (hash.get("seat")) seat = JSON.parse(decodeURIComponent(escape(atob(hash.get("seat"))))); } catch (e) { seat = null; }
  var local = null, pcs = {}, pending = {}, names = {}, active = false;
  var state = window.__meeting = { joined: false, admitted: false, tracks: [], waiting: [], present: [], ended: false };

  function say(text, kind) { var s = $("status"); s.textContent = text; s.className = "notice" + (kind ? " notice-" + kind : ""); }

  function api(path, body) {
    return fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw (j.error || { message: "请求失败" }); return j; }); });
  }
  function relay(action, body) {
    body = body || {}; body.meetingId = seat.meetingId; body.token = seat.joinToken;
    return api("/api/meetings/relay/" + action, body);
  }

  if (!seat && !(matterId && sessionId)) { say("链接不完整，请使用短信中的链接打开。", "error"); return; }
  if (!seat) $("login").hidden = false;

  $("check").onclick = function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { say("此浏览器不支持视频通话，请使用手机自带浏览器或微信打开。", "error"); return; }
    navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(function (stream) {
      local = stream; $("preview").srcObject = stream;
      say("摄像头和麦克风正常。" + (seat ? "请点击“加入调解”。" : "请填写手机号码和短信验证码。"), "ok");
      $("join").disabled = false;
    }).catch(function () { say("无法使用摄像头或麦克风，请在浏览器设置中允许后重试。", "error"); });
  };

  $("send-code").onclick = function () {
    api("/api/citizen/otp", { phone: $("phone").value.trim() })
      .then(function () { say("验证码已发送，请查看短信。", "ok"); })
      .catch(function (e) { say(e.message, "error"); });
  };

  $("join").onclick = function () {
    $("join").disabled = true;
    var seated = seat ? Promise.resolve(seat) :
      api("/api/meetings/join", { matterId: matterId, sessionId: sessionId, phone: $("phone").value.trim(), code: $("code").value.trim() });
    seated.then(function (s) {
      seat = s;
      (s.participants || []).forEach(function (p) { names[p.id] = p.name; });
      if (s.provider !== "local") {
        say("本会议使用云端视频服务（Amazon Chime SDK），此版本的页面尚未集成其浏览器组件，请联系调解员改用电话或现场调解。", "warn");
        return;
      }
      return relay("join").then(function (r) {
        active = true; state.joined = true; $("room").hidden = false; $("login").hidden = true; $("device").hidden = true;
        if (r.role === "mediator") { $("host").hidden = false; (r.waiting || []).forEach(addWaiting); }
        say(r.state === "admitted" ? "已进入视频调解。" : "请稍候，等待调解员准许进入…");
        loop();
      });
    }).catch(function (e) { $("join").disabled = false; say(e.message || "加入失败", "error"); });
  };

  $("mute").onclick = function () {
    var on = local.getAudioTracks().some(function (t) { return t.enabled; });
    local.getAudioTracks().forEach(function (t) { t.enabled = !on; });
    $("mute").textContent = on ? "取消静音" : "静音"; state.muted = on;
  };
  $("camera").onclick = function () {
    var on = local.getVideoTracks().some(function (t) { return t.enabled; });
    local.getVideoTracks().forEach(function (t) { t.enabled = !on; });
    $("camera").textContent = on ? "打开摄像头" : "关闭摄像头";
  };
  $("leave").onclick = function () { relay("leave").catch(function () {}); stop("您已离开视频调解。"); };

  function stop(text) {
    active = false; state.joined = false;
    Object.keys(pcs).forEach(drop);
    if (local) local.getTracks().forEach(function (t) { t.stop(); });
    $("room").hidden = true; say(text);
  }

  function loop() {
    if (!active) return;
    relay("poll", { timeout: 20 }).then(function (r) {
      r.messages.forEach(handle);
      loop();
    }).catch(function (e) {
      if (!active) return;
      if (e.code === "meeting_ended") return stop("视频调解已结束。");
      if (e.code === "meeting_not_found" || e.code === "removed") return stop("您已被调解员移出会议。");
      setTimeout(loop, 1000);
    });
  }

  function handle(m) {
    if (m.type === "admitted") {
      state.admitted = true; say("已进入视频调解。", "ok");
      m.peers.forEach(function (p) { names[p.id] = p.name; present(p); call(p.id); });
    } else if (m.type === "peer-joined") { names[m.peer.id] = m.peer.name; present(m.peer); unwait(m.peer.id); }
    else if (m.type === "waiting") addWaiting(m.peer);
    else if (m.type === "signal") signal(m.from, m.data);
    else if (m.type === "peer-left") { drop(m.peer); absent(m.peer); }
    else if (m.type === "removed") stop("您已被调解员移出会议。");
    else if (m.type === "ended") { state.ended = true; stop("视频调解已结束。"); }
  }

  function pcFor(peer) {
    if (pcs[peer]) return pcs[peer];
    var pc = new RTCPeerConnection({ iceServers: [] });
    local.getTracks().forEach(function (t) { pc.addTrack(t, local); });
    pc.onicecandidate = function (e) { if (e.candidate) relay("send", { to: peer, data: { candidate: e.candidate.toJSON() } }); };
    pc.ontrack = function (e) {
      state.tracks.push({ peer: peer, kind: e.track.kind });
      tile(peer).srcObject = e.streams[0];
    };
    pcs[peer] = pc; pending[peer] = [];
    return pc;
  }

  function call(peer) {  // the newcomer offers to everyone already in
    var pc = pcFor(peer);
    pc.createOffer().then(function (o) { return pc.setLocalDescription(o); })
      .then(function () { return relay("send", { to: peer, data: { sdp: pc.localDescription } }); });
  }

  function signal(from, data) {
    var pc = pcFor(from);
    if (data.sdp) {
      pc.setRemoteDescription(data.sdp).then(function () {
        pending[from].forEach(function (c) { pc.addIceCandidate(c); }); pending[from] = [];
        if (data.sdp.type === "offer") {
          return pc.createAnswer().then(function (a) { return pc.setLocalDescription(a); })
            .then(function () { return relay("send", { to: from, data: { sdp: pc.localDescription } }); });
        }
      });
    } else if (data.candidate) {
      if (pc.remoteDescription) pc.addIceCandidate(data.candidate); else pending[from].push(data.candidate);
    }
  }

  function drop(peer) {
    if (pcs[peer]) { pcs[peer].close(); delete pcs[peer]; }
    var box = $("tile-" + peer); if (box) box.remove();
  }

  function tile(peer) {
    var box = $("tile-" + peer);
    if (!box) {
      box = document.createElement("figure"); box.id = "tile-" + peer; box.className = "tile-box";
      var v = document.createElement("video"); v.autoplay = true; v.playsInline = true; v.className = "tile";
      var c = document.createElement("figcaption"); c.textContent = names[peer] || "参加人员";
      box.appendChild(v); box.appendChild(c); $("tiles").appendChild(box);
    }
    return box.querySelector("video");
  }

  // --- the mediator's controls: admit from the lobby, remove from the meeting ---------------
  function row(list, p, label, action) {
    var li = document.createElement("li"); li.id = list + "-" + p.id;
    li.appendChild(document.createTextNode(p.name));
    if (seat && seat.role === "mediator" && p.id !== seat.participantId) {
      var b = document.createElement("button"); b.type = "button"; b.className = "btn btn-secondary"; b.textContent = label;
      b.onclick = function () { relay(action, { participantId: p.id }).catch(function (e) { say(e.message, "error"); }); };
      li.appendChild(b);
    }
    $(list).appendChild(li);
  }
  function addWaiting(p) { if (!$("waiting-" + p.id)) { state.waiting.push(p.id); names[p.id] = p.name; row("waiting", p, "准许进入", "admit"); } }
  function unwait(id) { var li = $("waiting-" + id); if (li) li.remove(); state.waiting = state.waiting.filter(function (x) { return x !== id; }); }
  function present(p) { if (!$("present-" + p.id)) { state.present.push(p.id); row("present", p, "移出", "remove"); } }
  function absent(id) { var li = $("present-" + id); if (li) li.remove(); state.present = state.present.filter(function (x) { return x !== id; }); }
})();
