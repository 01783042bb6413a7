#!/bin/sh
# kanidoc collect-script (facts format "kanidoc-facts 1"), printed by kanidoc @KANIDOC_VERSION@.
#
# Runs under busybox sh in the kaniko debug image (no Python, no jq, no openssl) and writes
# the facts `kanidoc check --facts FILE` needs to replay the offline checks (auth, engine,
# tls store) on another machine:
#
#   sh kanidoc-collect.sh [FILE]     FILE defaults to $KANIDOC_FACTS or ./kanidoc-facts.txt;
#                                    "-" writes to standard output.
#   KANIDOC_ROOT=/some/tree          read every path below that tree instead of / (tests)
#   KANIDOC_FACTS_PEM=0              leave out the CA certificates' PEM text (fingerprints only)
#
# What is never written: values of secret variables (only "set"/"empty"), proxy
# credentials (masked), config.json secrets (replaced by placeholders of the same shape:
# length, base64 validity, colon after decoding, trailing newline, literal $VARIABLES),
# the Kubernetes service-account token (only the directory's existence), PID 1's command
# line (only its program name and the container runtime names it mentions), private keys.
# The format is described in docs/facts.md. Exit status is 0 unless FILE cannot be written.

set -u
umask 077
R="${KANIDOC_ROOT:-}"
R="${R%/}"
OUT="${1:-${KANIDOC_FACTS:-kanidoc-facts.txt}}"
MAX_CONFIG=8388608
ALLOW='@ALLOW@'
KNOWN='@KNOWN@'
PROXIES='@PROXIES@'
RUNTIMES='docker rkt systemd-nspawn lxc lxc-libvirt openvz kube garden podman gvisor firejail wsl'

rec() { printf '%s\n' "$*"; }

# one line, backslash escapes for \ CR LF
esc() { printf '%s' "$1" | awk 'BEGIN { ORS = "" } { if (NR > 1) printf "\\n"; gsub(/\\/, "\\\\"); gsub(/\r/, "\\r"); print }'; }

size_of() { wc -c < "$1" 2>/dev/null | tr -d ' ' || echo 0; }

stat_path() {
  f="$R$1"
  if [ -d "$f" ]; then rec "path dir 0 $1"
  elif [ -f "$f" ] && [ ! -r "$f" ]; then rec "path unreadable 0 $1"
  elif [ -f "$f" ]; then rec "path file $(size_of "$f") $1"
  elif [ -e "$f" ]; then rec "path other 0 $1"
  else rec "path absent 0 $1"; fi
}

# begin/end block: the first MAX lines of a file, each prefixed with "|"
file_block() {
  f="$R$1"
  [ -f "$f" ] && [ -r "$f" ] || return 0
  eol=0
  if [ -s "$f" ] && [ "$(tail -c 1 "$f" | wc -l | tr -d ' ')" = 1 ]; then eol=1; fi
  rec "begin $eol $1"
  awk -v max="$2" 'NR <= max { print "|" $0 }' "$f"
  rec "end"
}

# /proc/mounts: the first lines (kaniko's overlay test reads line 1), every mount on / and
# the cgroup mounts (cgroup version), and mounts under /kaniko
mounts_block() {
  f="$R/proc/mounts"
  [ -r "$f" ] || return 0
  rec "begin 1 /proc/mounts"
  awk 'NR <= 5 || $2 == "/" || $3 == "cgroup" || $3 == "cgroup2" || $2 ~ /^\/kaniko/ { if (++n <= 300) print "|" $0 }' "$f"
  rec "end"
}

# PID 1's command line can hold build arguments: keep the program name and which runtime
# names occur in it (kaniko's detector only asks "does it contain docker/kube/...").
cmdline_block() {
  f="$R/proc/1/cmdline"
  [ -r "$f" ] || return 0
  cmd=$(tr '\000' ' ' < "$f" | head -c 8192)
  prog=${cmd%% *}
  prog=$(printf '%s' "$prog" | tr -c 'A-Za-z0-9._/-' '_' | head -c 64)
  found=""
  for rt in $RUNTIMES; do
    case "$cmd" in *"$rt"*) found="$found $rt" ;; esac
  done
  rec "begin 0 /proc/1/cmdline"
  rec "|$prog$found"
  rec "end"
}

env_facts() {
  awk -v allow="$ALLOW" -v proxies="$PROXIES" '
    function maskurl(v,   out) {
      out = ""
      while (match(v, /:\/\/[^\/@ ]*@/)) { out = out substr(v, 1, RSTART - 1) "://masked:masked@"; v = substr(v, RSTART + RLENGTH) }
      v = out v
      if (v !~ /:\/\// && match(v, /^[^\/@ ]*@/)) v = "masked:masked@" substr(v, RLENGTH + 1)
      return v
    }
    function esc(v) { gsub(/\\/, "\\\\", v); gsub(/\n/, "\\n", v); gsub(/\r/, "\\r", v); return v }
    BEGIN {
      n = split(allow, a, " "); for (i = 1; i <= n; i++) ok[a[i]] = 1
      n = split(proxies, a, " "); for (i = 1; i <= n; i++) px[a[i]] = 1
      for (k in ENVIRON) {
        if (k !~ /^[A-Za-z_][A-Za-z0-9_]*$/) continue
        v = ENVIRON[k]
        if (k in px) print "env " k " " esc(maskurl(v))
        else if (k in ok) print "env " k " " esc(maskurl(v))
        else print "env-set " k " " (v == "" ? "empty" : "set")
      }
    }' | sort
}

# config.json with every secret replaced by a placeholder of the same shape. The text keeps
# its layout byte for byte (so a JSON syntax error stays at the same line and column);
# only the characters inside secret strings change. See docs/facts.md.
config_block() {
  f="$R$1"
  if [ ! -e "$f" ]; then rec "path absent 0 $1"; return 0; fi
  if [ -d "$f" ]; then rec "path dir 0 $1"; return 0; fi
  if [ ! -r "$f" ]; then rec "path unreadable 0 $1"; return 0; fi
  size=$(size_of "$f")
  rec "path file $size $1"
  if [ "$size" -gt "$MAX_CONFIG" ]; then return 0; fi
  eol=0
  if [ -s "$f" ] && [ "$(tail -c 1 "$f" | wc -l | tr -d ' ')" = 1 ]; then eol=1; fi
  rec "begin $eol $1"
  awk -v known="$KNOWN" -v file="$1" '
    function emit(s) { gsub(/\n/, "\n|", s); printf "%s", s }
    function cls(c) {
      if (c ~ /[A-Za-z_]/) return "x"
      if (c ~ /[0-9]/) return "0"
      if (c == "{" || c == "}" || c == "$") return c
      if (ORD[c] < 32) return c
      return "-"
    }
    # $NAME / ${NAME}: keep the longest known variable name, mask what follows
    function dollar(s, k, L,   o, run, j, best, i, kn) {
      o = "$"; j = k + 1
      if (substr(s, j, 1) == "{") { o = o "{"; j++ }
      run = ""
      if (substr(s, j, 1) ~ /[A-Za-z_]/) {
        while (j <= L && substr(s, j, 1) ~ /[A-Za-z0-9_]/) { run = run substr(s, j, 1); j++ }
      }
      best = ""
      for (i in KN) { kn = i; if (length(kn) > length(best) && substr(run, 1, length(kn)) == kn) best = kn }
      o = o best
      for (i = length(best) + 1; i <= length(run); i++) o = o cls(substr(run, i, 1))
      DOLLAR_NEXT = j
      return o
    }
    # a JSON string body (between the quotes), masked
    function gmask(s,   o, k, L, c, e, h) {
      o = ""; k = 1; L = length(s)
      while (k <= L) {
        c = substr(s, k, 1)
        if (c == "\\") {
          e = substr(s, k + 1, 1)
          if (e == "u" && substr(s, k + 2, 4) ~ /^[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]$/) {
            h = tolower(substr(s, k + 2, 4)); o = o "\\u" ((h == "000a" || h == "000d") ? h : "002d"); k += 6; continue
          }
          if (e == "n" || e == "r" || e == "t" || e == "b" || e == "f") { o = o c e; k += 2; continue }
          if (e == "\"" || e == "\\" || e == "/") { o = o "\\/"; k += 2; continue }
          o = o c; k++; continue
        }
        if (c == "$") { o = o dollar(s, k, L); k = DOLLAR_NEXT; continue }
        o = o cls(c); k++
      }
      return o
    }
    # bytes (decoded auth) masked the same way, as a plain string
    function pmask(s,   o, k, L, c) {
      o = ""; k = 1; L = length(s)
      while (k <= L) {
        c = substr(s, k, 1)
        if (c == "$") { o = o dollar(s, k, L); k = DOLLAR_NEXT; continue }
        o = o cls(c); k++
      }
      return o
    }
    # invalid base64: keep every character class and position (Go reports the first
    # illegal byte), alphabet characters become "A"
    function skel(s,   o, k, L, c, e, h) {
      o = ""; k = 1; L = length(s)
      while (k <= L) {
        c = substr(s, k, 1)
        if (c == "\\") {
          e = substr(s, k + 1, 1)
          if (e == "u" && substr(s, k + 2, 4) ~ /^[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]$/) {
            h = tolower(substr(s, k + 2, 4))
            if (h ~ /^00(4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a]|3[0-9]|2b|2f)$/) h = "0041"
            o = o "\\u" h; k += 6; continue
          }
          o = o c e; k += 2; continue
        }
        if (c ~ /[A-Za-z0-9+\/]/) o = o "A"; else o = o c
        k++
      }
      return o
    }
    function unescape(s,   o, k, L, c, e, h) {
      o = ""; k = 1; L = length(s); UNESC_BAD = 0
      while (k <= L) {
        c = substr(s, k, 1)
        if (c != "\\") { o = o c; k++; continue }
        e = substr(s, k + 1, 1)
        if (e == "n") o = o "\n"; else if (e == "r") o = o "\r"; else if (e == "t") o = o "\t"
        else if (e == "/" || e == "\\" || e == "\"") o = o e
        else if (e == "u" && substr(s, k + 2, 4) ~ /^00[0-7][0-9A-Fa-f]$/) {
          h = tolower(substr(s, k + 4, 2)); o = o sprintf("%c", HEX[substr(h, 1, 1)] * 16 + HEX[substr(h, 2, 1)]); k += 6; continue
        } else { UNESC_BAD = 1; o = o "?" }
        k += 2
      }
      return o
    }
    function b64enc(s,   o, i, L, a, b, c) {
      o = ""; L = length(s)
      for (i = 1; i <= L; i += 3) {
        a = ORD[substr(s, i, 1)]; b = (i + 1 <= L) ? ORD[substr(s, i + 1, 1)] : 0; c = (i + 2 <= L) ? ORD[substr(s, i + 2, 1)] : 0
        o = o substr(B64, int(a / 4) + 1, 1) substr(B64, (a % 4) * 16 + int(b / 16) + 1, 1)
        o = o ((i + 1 <= L) ? substr(B64, (b % 16) * 4 + int(c / 64) + 1, 1) : "=")
        o = o ((i + 2 <= L) ? substr(B64, c % 64 + 1, 1) : "=")
      }
      return o
    }
    function shape(path, text) { SHAPES[++NSHAPES] = "secret " text " " path }
    function auth(raw, path,   v, w, m, i, a, b, c, d, q3, q4, user, pass, colon, dec, new, pad) {
      if (raw ~ /[\001-\037]/) { shape(path, "length=" length(raw) " base64=invalid json=raw-control-character"); return skel(raw) }
      v = unescape(raw)
      w = v; gsub(/[\r\n]/, "", w)
      if (UNESC_BAD || w == "" || length(w) % 4 != 0 || w !~ /^[A-Za-z0-9+\/]*([A-Za-z0-9+\/][A-Za-z0-9+\/]==|[A-Za-z0-9+\/][A-Za-z0-9+\/][A-Za-z0-9+\/]=)?$/) {
        shape(path, "length=" length(w) " base64=invalid"); return skel(raw)
      }
      m = 0
      for (i = 1; i <= length(w); i += 4) {
        a = B64V[substr(w, i, 1)]; b = B64V[substr(w, i + 1, 1)]; q3 = substr(w, i + 2, 1); q4 = substr(w, i + 3, 1)
        D[++m] = a * 4 + int(b / 16)
        if (q3 != "=") {
          c = B64V[q3]; D[++m] = (b % 16) * 16 + int(c / 4)
          if (q4 != "=") { d = B64V[q4]; D[++m] = (c % 4) * 64 + d }
        }
      }
      colon = 0; user = ""; pass = ""
      for (i = 1; i <= m; i++) {
        if (!colon && D[i] == 58) { colon = i; continue }
        ch = (D[i] == 0) ? "?" : sprintf("%c", D[i])
        if (colon) pass = pass ch; else user = user ch
      }
      if (colon) dec = user ":" pmask(pass); else dec = pmask(user)
      shape(path, "length=" length(w) " base64=valid decoded_length=" m " colon=" (colon ? "yes" : "no") (colon ? " password_length=" (m - colon) : ""))
      new = b64enc(dec)
      pad = length(raw) - length(new)
      while (pad >= 2) { new = new "\\n"; pad -= 2 }
      return new
    }
    function keypath(d, key,   p, i) {
      p = ""
      for (i = 1; i <= d; i++) if (KEY[i] != "") p = p "[\"" KEY[i] "\"]"
      return p "[\"" key "\"]"
    }
    function value_string(raw,   k, parent) {
      if (BROKEN || TOP[DEPTH] != "{") return gmask(raw)
      k = tolower(KEY[DEPTH]); parent = (DEPTH > 1) ? tolower(KEY[DEPTH - 1]) : ""
      if (k == "auth") return auth(raw, keypath(DEPTH - 1, KEY[DEPTH]))
      if (k == "username" || k == "serveraddress" || k == "credsstore" || k == "currentcontext" || parent == "credhelpers") return raw
      if (k == "password" || k == "identitytoken" || k == "registrytoken") shape(keypath(DEPTH - 1, KEY[DEPTH]), "length=" length(raw))
      return gmask(raw)
    }
    function after_value() { EXPECT = (DEPTH == 0) ? "end" : "comma" }
    function bad() { BROKEN = 1 }
    BEGIN {
      for (i = 1; i < 256; i++) ORD[sprintf("%c", i)] = i
      B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
      for (i = 1; i <= 64; i++) B64V[substr(B64, i, 1)] = i - 1
      for (i = 0; i < 10; i++) HEX[i ""] = i
      HEX["a"] = 10; HEX["b"] = 11; HEX["c"] = 12; HEX["d"] = 13; HEX["e"] = 14; HEX["f"] = 15
      n = split(known, a, " "); for (i = 1; i <= n; i++) KN[a[i]] = 1
      for (k in ENVIRON) if (k ~ /^[A-Za-z_][A-Za-z0-9_]*$/) KN[k] = 1
    }
    { text = (NR == 1) ? $0 : text "\n" $0 }
    END {
      n = length(text); i = 1; DEPTH = 0; EXPECT = "value"; BROKEN = 0
      printf "|"
      while (i <= n) {
        c = substr(text, i, 1)
        if (c == "\"") {
          j = i + 1
          while (j <= n) { d = substr(text, j, 1); if (d == "\\") { j += 2; continue } if (d == "\"") break; j++ }
          raw = substr(text, i + 1, j - i - 1)
          if (j > n || raw ~ /[\001-\037]/) bad()
          if (!BROKEN && (EXPECT == "key" || EXPECT == "key_or_end")) {
            gsub(/:\/\/[^\/@"]*@/, "://masked:masked@", raw)
            emit("\"" raw "\""); KEY[DEPTH] = raw; EXPECT = "colon"
          } else {
            if (EXPECT != "value" && EXPECT != "value_or_end") bad()
            emit("\"" value_string(raw) (j <= n ? "\"" : ""))
            after_value()
          }
          i = j + 1; continue
        }
        if (c == " " || c == "\t" || c == "\n" || c == "\r") { emit(c); i++; continue }
        if (c == "{" || c == "[") {
          if (EXPECT != "value" && EXPECT != "value_or_end") bad()
          DEPTH++; TOP[DEPTH] = c; KEY[DEPTH] = ""; EXPECT = (c == "{") ? "key_or_end" : "value_or_end"
          emit(c); i++; continue
        }
        if (c == "}" || c == "]") {
          if (DEPTH == 0 || TOP[DEPTH] != (c == "}" ? "{" : "[") || (EXPECT != "comma" && EXPECT != (c == "}" ? "key_or_end" : "value_or_end"))) bad()
          if (DEPTH > 0) DEPTH--
          after_value(); emit(c); i++; continue
        }
        if (c == ":") { if (EXPECT != "colon") bad(); EXPECT = "value"; emit(c); i++; continue }
        if (c == ",") {
          if (EXPECT != "comma") bad()
          EXPECT = (TOP[DEPTH] == "{") ? "key" : "value"; emit(c); i++; continue
        }
        j = i
        while (j <= n && substr(text, j, 1) ~ /[A-Za-z0-9+.-]/) j++
        if (j == i) { bad(); emit(cls(c)); i++; continue }
        tok = substr(text, i, j - i)
        if (tok == "true" || tok == "false" || tok == "null" || tok ~ /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/) {
          if (EXPECT != "value" && EXPECT != "value_or_end") bad()
          emit(tok); after_value()
        } else {
          bad(); out = ""
          for (k = 1; k <= length(tok); k++) out = out cls(substr(tok, k, 1))
          emit(out)
        }
        i = j
      }
      printf "\n"
      print "end"
      for (k = 1; k <= NSHAPES; k++) print SHAPES[k] " " file
    }' "$f"
}

cert_file() {
  f="$R$1"
  [ -f "$f" ] && [ -r "$f" ] || return 0
  size=$(size_of "$f")
  sum=$(sha256sum < "$f" 2>/dev/null | cut -d ' ' -f 1)
  certs=$(grep -c -- '-----BEGIN CERTIFICATE-----' "$f" 2>/dev/null)
  keys=$(grep -c -- '-----BEGIN .*PRIVATE KEY-----' "$f" 2>/dev/null)
  rec "cert $size ${sum:-unknown} ${certs:-0} ${keys:-0} $1"
  if [ "${KANIDOC_FACTS_PEM:-1}" != 0 ] && [ "${certs:-0}" -gt 0 ]; then
    rec "begin 1 $1"
    awk '/^-----BEGIN CERTIFICATE-----/ { on = 1; print "|" $0; next }
         /-----BEGIN / { on = 0; next }
         on { print "|" $0 }
         /-----END / { on = 0 }' "$f"
    rec "end"
  else
    rec "path file $size $1"
  fi
}

cert_dir() {
  d="$R$1"
  stat_path "$1"
  [ -d "$d" ] || return 0
  count=0
  for f in "$d"/* "$d"/.[!.]*; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    name=${f##*/}
    case "$name" in *"
"*|*" "*) continue ;; esac
    count=$((count + 1))
    [ "$count" -le 1000 ] || break
    if [ -L "$f" ]; then
      target=$(readlink "$f")
      case "$target" in
        */*) ;;
        *) rec "link $target ${1%/}/$name"; continue ;;
      esac
    fi
    if [ -d "$f" ]; then rec "path dir 0 ${1%/}/$name"; continue; fi
    if [ -f "$f" ] && [ "$(grep -c -- '-----BEGIN ' "$f" 2>/dev/null)" = 0 ]; then
      rec "cert $(size_of "$f") $(sha256sum < "$f" | cut -d ' ' -f 1) 0 0 ${1%/}/$name"
      rec "path file $(size_of "$f") ${1%/}/$name"
      continue
    fi
    cert_file "${1%/}/$name"
  done
}

collect() {
  rec "kanidoc-facts 1"
  rec "# written by the kanidoc @KANIDOC_VERSION@ collect-script; read with: kanidoc check --facts FILE"
  rec "meta script_version @KANIDOC_VERSION@"
  rec "meta collected_at $(date -u +%Y-%m-%dT%H:%M:%SZ 2>/dev/null)"
  [ -n "$R" ] && rec "meta root $R"
  rec "meta uid $(id -u 2>/dev/null)"
  exe="$R/kaniko/executor"
  if [ -x "$exe" ]; then
    if command -v timeout >/dev/null 2>&1; then
      v=$(timeout 10 "$exe" version 2>&1 | head -n 3)
    else
      v=$("$exe" version 2>&1 | head -n 3)
    fi
    rec "meta executor_version $(esc "$v")"
  fi
  if [ -d "$R/kaniko" ]; then
    if [ -w "$R/kaniko" ]; then rec "meta kaniko_dir_writable yes"; else rec "meta kaniko_dir_writable no"; fi
    rec "meta kaniko_dir_df $(df -k "$R/kaniko" 2>/dev/null | awk 'NR == 2 { print $4 "KiB free of " $2 "KiB" }')"
  fi

  env_facts

  for p in /.dockerenv /run/.containerenv /var/run/secrets/kubernetes.io/serviceaccount /proc/vz /proc/bc \
           /__runsc_containers__ /run/systemd/container /proc/version_signature /proc/self/cgroup /proc/1/cgroup \
           /proc/1/cmdline /proc/mounts /kaniko /kaniko/executor /kaniko/.docker /kaniko/ssl/certs; do
    stat_path "$p"
  done
  file_block /proc/self/cgroup 200
  file_block /proc/1/cgroup 200
  file_block /run/systemd/container 5
  file_block /proc/version_signature 5
  mounts_block
  cmdline_block

  cfgdir="${DOCKER_CONFIG:-/kaniko/.docker/}"
  if [ -f "$R$cfgdir" ]; then
    config_block "$cfgdir"
  else
    stat_path "$cfgdir"
    config_block "${cfgdir%/}/config.json"
  fi
  home_cfg="${HOME:-/root}"
  home_cfg="${home_cfg%/}/.docker/config.json"
  [ "$home_cfg" = "${cfgdir%/}/config.json" ] || config_block "$home_cfg"

  # credential helpers kaniko could run (PATH and /kaniko): existence only
  old_ifs=$IFS; IFS=:
  for d in ${PATH:-} /kaniko; do
    IFS=$old_ifs
    [ -n "$d" ] && [ -d "$R$d" ] || continue
    for h in "$R$d"/docker-credential-*; do
      [ -f "$h" ] && [ -x "$h" ] && rec "exec ${d%/}/${h##*/}"
    done
  done
  IFS=$old_ifs

  # trust store: Go's files (SSL_CERT_FILE or the first of its defaults) and directories
  if [ -n "${SSL_CERT_FILE:-}" ]; then
    stat_path "$SSL_CERT_FILE"; cert_file "$SSL_CERT_FILE"
  else
    for p in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/ca-bundle.pem \
             /etc/pki/tls/cacert.pem /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem /etc/ssl/cert.pem; do
      [ -e "$R$p" ] && { stat_path "$p"; cert_file "$p"; }
    done
  fi
  dirs="${SSL_CERT_DIR:-/kaniko/ssl/certs}"
  old_ifs=$IFS; IFS=:
  for d in $dirs; do
    IFS=$old_ifs
    [ -n "$d" ] && cert_dir "$d"
  done
  IFS=$old_ifs
  [ -n "${SSL_CERT_DIR:-}" ] || { [ -d "$R/etc/ssl/certs" ] && cert_dir /etc/ssl/certs; }
  rec "done"
}

if [ "$OUT" = "-" ]; then
  collect
else
  collect > "$OUT" || exit 1
  echo "kanidoc: facts written to $OUT (read them with: kanidoc check --facts $OUT)" >&2
fi
exit 0
