#!/usr/bin/env python3
"""The gateway's benchmark harness: started by bench/run (read that first).

Starts on loopback an nginx upstream, a redis-server, the gateway (gateway/target/gateway.jar)
and two references built in the same run: a stock Spring Cloud Gateway route
(bench/stock-scg/target/stock-scg.jar) and nginx as a reverse proxy. Drives each with wrk and
reports requests/s, latency percentiles and requests per CPU-second of the proxy process
(utime + stime from /proc/<pid>/stat, children included for nginx's workers).

Writes results.json and results.md into the work directory; bench/run copies the table into
docs/performance.md. Standard library only.
"""
import argparse
import atexit
import base64
import collections
import datetime
import hashlib
import hmac
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
CLK_TCK = os.sysconf("SC_CLK_TCK")
ADMIN_TOKEN = "bench-admin-token-0123456789"
# The key-tag secret new keys are minted under (docs/security.md): the bench's own, 32 bytes.
KEY_SECRET = {"GATEWAY_KEYS_SECRETS_BENCH": "YmVuY2gta2V5LXRhZy1zZWNyZXQtMDEyMzQ1Njc4OWFi",
              "GATEWAY_KEYS_MINTING_SECRET": "bench"}
WORKSPACE = "ws_bench"
ACCOUNT = "acct_bench"
PATH = "/api/v1/posts/post_123"          # route post-get: scope posts:read, workspace required
UPLOAD_PATH = "/api/v1/media/upload"     # route media-upload: scope media:write, max-body 500MB
UPSTREAM_BODY = '{"id":"post_123","status":"draft","caption":"Hello from the bench upstream"}'
# Same JVM options for both Java targets: the JVM is not what is compared.
JVM_OPTS = ["-Xms512m", "-Xmx512m", "-XX:+UseG1GC", "-XX:+AlwaysPreTouch"]


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=90, headers=None):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=2) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError as e:
            last = e
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s: {last}")


def http(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as r:
        text = r.read().decode()
        return r.status, (json.loads(text) if text else None)


# ---------------------------------------------------------------------------------------------
# CPU and memory of a process (and its children: nginx's master + workers)

def proc_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])   # utime, stime (fields 14, 15 of stat)


def process_tree(pid):
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            total += proc_ticks(pid)
        except OSError:
            pass
    return total / CLK_TCK


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


# ---------------------------------------------------------------------------------------------
# The processes

class Processes:
    def __init__(self, work):
        self.work = work
        self.procs = []

    def start(self, name, args, env=None, cwd=None):
        out = open(os.path.join(self.work, f"{name}.log"), "w")
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=cwd or self.work,
                                env={**os.environ, **(env or {})}, start_new_session=True)
        self.procs.append((name, proc))
        return proc

    def stop_all(self):
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def nginx_conf(work, name, server_block, workers):
    # nginx's workers run as an unprivileged user when it is started as root: the work directory
    # (mktemp, 0700) is closed to them, so request bodies they buffer go to a directory of their own
    tmp = tempfile.mkdtemp(prefix=f"powerpost-bench-{name}-")
    os.chmod(tmp, 0o777)
    atexit.register(shutil.rmtree, tmp, True)
    conf = f"""
worker_processes {workers};
daemon off;
master_process on;
pid {work}/{name}.pid;
error_log {work}/{name}-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
{server_block}
}}
"""
    path = os.path.join(work, f"{name}.conf")
    with open(path, "w") as f:
        f.write(conf)
    return path


def bench_routes(work, upstream_port):
    """routes.yml as deployed, with rate limits raised so that one key can drive the benchmark:
    every request is still counted, decided and reconciled; none is refused for its rate."""
    with open(os.path.join(ROOT, "routes.yml")) as f:
        text = f.read()
    text, n = re.subn(r"\{ requests: \d+, per: 60s \}", "{ requests: 1000000000, per: 60s }", text)
    if n == 0:
        raise RuntimeError("routes.yml: no rate-limit class found to raise")
    path = os.path.join(work, "routes.yml")
    with open(path, "w") as f:
        f.write(text)
    return path


# ---------------------------------------------------------------------------------------------
# wrk

def wrk(port, connections, seconds, script, env, threads=2, timeout_s=10):
    cmd = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s",
           f"--timeout", f"{timeout_s}s", "-s", os.path.join(BENCH, "wrk", script),
           f"http://127.0.0.1:{port}"]
    full_env = {**os.environ, "BENCH_LUA_DIR": os.path.join(BENCH, "wrk"), "BENCH_PATH": PATH,
                "BENCH_WORKSPACE": WORKSPACE, "BENCH_THREADS": str(min(threads, connections)), **env}
    return cmd, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=full_env, text=True)


def wrk_result(popen):
    out, _ = popen.communicate()
    for line in out.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    raise RuntimeError("wrk printed no result:\n" + out)


def measured(target, connections, seconds, script="fixed.lua", env=None):
    """One wrk run against one target, with the target's CPU time around it."""
    env = {**target["wrk_env"], **(env or {})}
    cpu_before = cpu_seconds(target["pids"]())
    started = time.time()
    cmd, popen = wrk(target["port"], connections, seconds, script, env)
    result = wrk_result(popen)
    wall = time.time() - started
    cpu = cpu_seconds(target["pids"]()) - cpu_before
    seconds_measured = result["duration_us"] / 1e6
    ok = result["requests"] - result["errors_status"]
    result.update({
        "target": target["name"], "connections": connections, "command": " ".join(cmd),
        "rps": result["requests"] / seconds_measured,
        "cpu_s": cpu, "wall_s": wall,
        "cpu_util": cpu / wall,
        "req_per_cpu_s": result["requests"] / cpu if cpu > 0 else float("nan"),
        "ok_requests": ok,
    })
    return result


def redis_commands(port):
    out = subprocess.run(["redis-cli", "-p", str(port), "info", "stats"], capture_output=True, text=True,
                         check=True).stdout
    return int(re.search(r"total_commands_processed:(\d+)", out).group(1))


def redis_commandstats(port):
    """INFO commandstats as {command: calls}. On Redis 7 the commands a script runs are counted in
    their own rows (and in total_commands_processed), beside the EVAL/EVALSHA that ran them:
    checked on redis-server 7.0.15 (an EVAL of three redis.call()s moves eval by 1 and set, hset,
    get by 1 each; total_commands_processed by 4)."""
    out = subprocess.run(["redis-cli", "-p", str(port), "info", "commandstats"], capture_output=True, text=True,
                         check=True).stdout
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"cmdstat_([^:]+):calls=(\d+)", out)}


# Our own readings (INFO before and after a run), never the gateway's
OWN_COMMANDS = ("info", "monitor", "config|resetstat")
SCRIPT_COMMANDS = ("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro")


def commandstats_delta(before, after):
    return {name: calls - before.get(name, 0) for name, calls in after.items()
            if name not in OWN_COMMANDS and calls - before.get(name, 0) > 0}


class RedisMonitor:
    """MONITOR on its own connection, counted as it streams (nothing kept): each line names where
    the command came from, `[0 127.0.0.1:port]` for a command a client sent (one round trip; a
    pipelined batch is still one command each) or `[0 lua]` for one a script ran. Costs Redis a
    formatted line per command, so it runs only in a pass of its own, never in a measured run."""

    MARK = b"bench-monitor-end"

    def __init__(self, port):
        self.port = port
        self.drained = threading.Event()
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"MONITOR\r\n")
        self.client = collections.Counter()
        self.script = collections.Counter()
        self.stopped = False
        self.buffer = b""
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        line = re.compile(rb'^\+[0-9.]+ \[\d+ ([^\]]+)\] "([^"]*)"')
        while not self.stopped:
            try:
                chunk = self.sock.recv(1 << 16)
            except OSError:
                break
            if not chunk:
                break
            lines = (self.buffer + chunk).split(b"\r\n")
            self.buffer = lines.pop()
            for text in lines:
                if self.MARK in text:   # our own ECHO: every line before it was counted
                    self.drained.set()
                    return
                m = line.match(text)
                if m:
                    name = m.group(2).decode().lower()
                    (self.script if m.group(1) == b"lua" else self.client)[name] += 1

    def stop(self):
        # MONITOR's lines may still be on their way: an ECHO of a mark, then read up to it
        subprocess.run(["redis-cli", "-p", str(self.port), "echo", self.MARK.decode()], capture_output=True)
        if not self.drained.wait(60):
            log("MONITOR: the end mark did not come back within 60 s; counts may be short")
        self.stopped = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(timeout=5)
        self.client.pop("monitor", None)
        return dict(self.client), dict(self.script)


# ---------------------------------------------------------------------------------------------
# Many keys written straight into Redis by docs/redis-schema.md (what the management API writes)

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
LIVE_PREFIX = "pp_live_sk_"


def key_tag(secret, signed):
    """The 6-character tag of a key (docs/security.md, "Keys that prove themselves"; auth/KeyTags):
    the first 8 bytes of HMAC-SHA256(secret, prefix + the 34 random characters), unsigned, modulo
    62^6, in base 62, most significant first."""
    value = int.from_bytes(hmac.new(secret, signed.encode("ascii"), hashlib.sha256).digest()[:8], "big") % 62 ** 6
    out = []
    for _ in range(6):
        value, digit = divmod(value, 62)
        out.append(BASE62[digit])
    return "".join(reversed(out))


def random_base62(rng, length):
    return "".join(rng.choices(BASE62, k=length))


def resp(*args):
    parts = [f"*{len(args)}\r\n".encode()]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(parts)


def redis_pipe(port, commands, batch=20000):
    """Sends RESP commands in pipelined batches on one connection; every reply must be a one-line
    reply (+OK, :n), none an error. Returns the number of replies."""
    replies = 0
    with socket.create_connection(("127.0.0.1", port)) as sock:
        reader = sock.makefile("rb")
        for start in range(0, len(commands), batch):
            chunk = commands[start:start + batch]
            sock.sendall(b"".join(chunk))
            for _ in chunk:
                line = reader.readline()
                if not line or line[:1] not in (b"+", b":"):
                    raise RuntimeError(f"redis refused a write of the keys: {line!r}")
                replies += 1
    return replies


def write_keys(port, count, template, secret_id, secret, work):
    """`count` live keys written by the documented contract, as the management API's create writes
    them (docs/redis-schema.md, "create key"): the record `ppgw:key:{h}` (id, account_id, name,
    scopes, created_at, key_secret), `SADD ppgw:secret:{s}:keys h`, `SET ppgw:keyid:{id} a`, the
    account's index and key info (`HSET …:keys id h`, `HSET …:keyinfo id "live 0"`), then
    `PUBLISH ppgw:invalidations "key h"`. Pipelined, one connection. The account's limit of keys is
    the create script's (CLAIM) and is not applied: no request reads the index. Each key carries
    the tag of `secret`, the gateway's configured secret `secret_id`. Returns the keys (also
    written one a line to <work>/keys.txt for the wrk script)."""
    rng = random.Random(os.urandom(32))   # bench keys in a throw-away Redis: fast, not for real keys
    account = template["account_id"]
    now = str(int(time.time() * 1000))
    keys, commands = [], []
    for i in range(count):
        if len(commands) >= 60000:   # written as they are made: a bounded buffer for any count
            redis_pipe(port, commands)
            commands = []
        signed = LIVE_PREFIX + random_base62(rng, 34)
        key = signed + key_tag(secret, signed)
        h = hashlib.sha256(key.encode("ascii")).hexdigest()
        key_id = "key_" + random_base62(rng, 20)
        keys.append(key)
        commands.append(resp("HSET", f"ppgw:key:{{{h}}}", "id", key_id, "account_id", account,
                             "name", f"bench key {i + 1}", "scopes", template["scopes"], "created_at", now,
                             "key_secret", secret_id))
        commands.append(resp("SADD", f"ppgw:secret:{{{secret_id}}}:keys", h))
        commands.append(resp("SET", f"ppgw:keyid:{{{key_id}}}", account))
        commands.append(resp("HSET", f"ppgw:acct:{{{account}}}:keys", key_id, h))
        commands.append(resp("HSET", f"ppgw:acct:{{{account}}}:keyinfo", key_id, "live 0"))
        commands.append(resp("PUBLISH", "ppgw:invalidations", f"key {h}"))
    redis_pipe(port, commands)
    path = os.path.join(work, "keys.txt")
    with open(path, "w") as f:
        f.write("\n".join(keys) + "\n")
    os.chmod(path, 0o600)
    return keys, path


def key_record(port, key):
    h = hashlib.sha256(key.encode("ascii")).hexdigest()
    out = subprocess.run(["redis-cli", "-p", str(port), "hgetall", f"ppgw:key:{{{h}}}"], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    return dict(zip(out[0::2], out[1::2]))


def gateway_metric(management_port, name, **labels):
    """Sum of one metric of the gateway's Prometheus scrape over the series with these labels."""
    with urllib.request.urlopen(f"http://127.0.0.1:{management_port}/actuator/prometheus", timeout=10) as r:
        text = r.read().decode()
    total, found = 0.0, False
    for line in text.splitlines():
        m = re.match(re.escape(name) + r'(\{[^}]*\})? ([0-9.eE+-]+)$', line)
        if m and all(f'{k}="{v}"' in (m.group(1) or "") for k, v in labels.items()):
            total += float(m.group(2))
            found = True
    return total if found else None


# ---------------------------------------------------------------------------------------------
# JVM memory (jstat / jcmd from the JDK running the gateway)

def jdk_tool(name):
    java = shutil.which("java")
    real = os.path.realpath(java)
    candidate = os.path.join(os.path.dirname(real), name)
    return candidate if os.path.exists(candidate) else shutil.which(name)


def heap_used_mb(pid):
    out = subprocess.run([jdk_tool("jstat"), "-gc", str(pid)], capture_output=True, text=True, check=True).stdout
    head, values = out.strip().splitlines()[:2]
    cols = dict(zip(head.split(), values.split()))
    used_kb = sum(float(cols[c]) for c in ("S0U", "S1U", "EU", "OU"))
    return used_kb / 1024


def full_gc(pid):
    subprocess.run([jdk_tool("jcmd"), str(pid), "GC.run"], capture_output=True, check=True)
    time.sleep(0.5)


def class_histogram(pid, path):
    """jcmd GC.class_histogram (a full GC first, as its default is), kept in `path`; {class: bytes}."""
    out = subprocess.run([jdk_tool("jcmd"), str(pid), "GC.class_histogram"], capture_output=True, text=True,
                         check=True).stdout
    with open(path, "w") as f:
        f.write(out)
    rows = {}
    for line in out.splitlines():
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            rows[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return rows


def live(histogram):
    """Bytes of every object in a class histogram (the live heap right after its full GC)."""
    return sum(size for _, size in histogram.values())


def histogram_growth(before, after, top=10):
    """The classes whose instances grew the most between two histograms: (class, instances, bytes)."""
    grown = [(name, count - before.get(name, (0, 0))[0], size - before.get(name, (0, 0))[1])
             for name, (count, size) in after.items()]
    return sorted(grown, key=lambda row: -row[2])[:top]


def upload(target, size_mb, work, key):
    """POSTs size_mb of bytes through the target, sampling heap and RSS while it streams."""
    pid = target["pid"]
    data = os.path.join(work, f"upload-{size_mb}mb.bin")
    with open(data, "wb") as f:
        f.truncate(size_mb * 1024 * 1024)
    full_gc(pid)
    heap_before = heap_used_mb(pid)
    rss_before = status_kb(pid, "VmRSS") / 1024
    cmd = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total} %{size_upload}", "-X", "POST",
           "-T", data, "-H", f"x-api-key: {key}", "-H", f"X-Workspace-Id: {WORKSPACE}",
           "-H", "Content-Type: application/octet-stream", f"http://127.0.0.1:{target['port']}{UPLOAD_PATH}"]
    popen = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    heap_peak, rss_peak = heap_before, rss_before
    while popen.poll() is None:
        heap_peak = max(heap_peak, heap_used_mb(pid))
        rss_peak = max(rss_peak, status_kb(pid, "VmRSS") / 1024)
        time.sleep(0.1)
    code, seconds, sent = popen.stdout.read().split()
    full_gc(pid)
    heap_after = heap_used_mb(pid)
    rss_after = status_kb(pid, "VmRSS") / 1024
    os.remove(data)
    return {"size_mb": size_mb, "status": int(code), "seconds": float(seconds), "bytes_sent": int(float(sent)),
            "heap_before_mb": heap_before, "heap_peak_mb": heap_peak, "heap_after_mb": heap_after,
            "heap_growth_mb": heap_after - heap_before, "heap_peak_growth_mb": heap_peak - heap_before,
            "rss_before_mb": rss_before, "rss_peak_mb": rss_peak, "rss_after_mb": rss_after,
            "command": " ".join(cmd).replace(key, "$KEY")}


# ---------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured wrk run")
    parser.add_argument("--warmup", type=int, default=10, help="seconds per warm-up chunk")
    parser.add_argument("--warmup-min", type=int, default=90, help="least seconds of warm-up per JVM target")
    parser.add_argument("--warmup-max", type=int, default=240, help="most seconds of warm-up per target")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--upload-mb", type=int, default=200)
    parser.add_argument("--connections", default="8,64")
    parser.add_argument("--keys", type=int, default=100000,
                        help="distinct keys of the many-keys scenario, written into Redis (0: no such scenario)")
    parser.add_argument("--targets", default="gateway,stock-scg,nginx")
    parser.add_argument("--variants", default="",
                        help="name=path/to/gateway.jar,...: other builds of the gateway, measured beside the "
                             "targets in the warm-key scenario (what each tuning step bought); a jar named "
                             "stock-scg*.jar is started as the stock route (the reference on another JVM, say)")
    parser.add_argument("--java", default="",
                        help="JDK home for every JVM target (default: the java on PATH)")
    parser.add_argument("--variant-java", action="append", default=[], metavar="NAME=JDK_HOME",
                        help="the JDK one variant runs on (17 against 25, side by side)")
    parser.add_argument("--variant-opts", action="append", default=[], metavar="NAME=OPTIONS",
                        help="the JVM options one variant runs with, instead of the common ones (GC, heap); "
                             "{upstream} stands for the upstream's host:port")
    parser.add_argument("--gateway-opts", default="",
                        help="JVM options for the gateway target instead of the common ones")
    args = parser.parse_args()
    # SIGTERM / SIGINT end the run through the finally below, which stops every process started
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    connection_counts = [int(c) for c in args.connections.split(",")]

    procs = Processes(work)
    results = {"started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "args": vars(args), "runs": []}
    try:
        results["machine"] = machine()
        ports = {name: free_port() for name in ("upstream", "nginx", "redis", "gateway", "management", "stock")}
        results["ports"] = ports

        # -- upstream: nginx, one worker, a small JSON answer to every path. The upload path reads the
        # whole body before it answers, as PowerPost's does (proxy_request_buffering to an internal
        # location of its own): `return` alone answers at once, and the gateway then stops reading
        # an upload whose answer is already out (http/ConnectionGuard), so nothing would stream.
        conf = nginx_conf(work, "upstream", f"""
  server {{
    listen 127.0.0.1:{ports['upstream']} backlog=4096;
    client_max_body_size 0;
    location / {{ default_type application/json; return 200 '{UPSTREAM_BODY}'; }}
    location = {UPLOAD_PATH} {{
      proxy_request_buffering on;
      proxy_pass http://127.0.0.1:{ports['upstream']}/drained;
    }}
  }}""", workers=1)
        upstream = procs.start("upstream", ["nginx", "-c", conf, "-p", work])
        # -- reference: nginx as a reverse proxy to the same upstream, kept-alive connections
        conf = nginx_conf(work, "nginx-proxy", f"""
  upstream backend {{ server 127.0.0.1:{ports['upstream']}; keepalive 128; }}
  server {{
    listen 127.0.0.1:{ports['nginx']} backlog=4096;
    client_max_body_size 0;
    location / {{ proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }}
  }}""", workers="auto")
        nginx_proxy = procs.start("nginx-proxy", ["nginx", "-c", conf, "-p", work])
        # -- redis
        redis = procs.start("redis", ["redis-server", "--port", str(ports["redis"]), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"])
        wait_http(f"http://127.0.0.1:{ports['upstream']}/")
        wait_http(f"http://127.0.0.1:{ports['nginx']}/")
        wait_redis(ports["redis"])

        # -- the gateway
        routes = bench_routes(work, ports["upstream"])
        java = java_bin(args.java)
        gateway_opts = args.gateway_opts.split() if args.gateway_opts else JVM_OPTS
        gateway_cmd = gateway_cmd_for(os.path.join(ROOT, "gateway/target/gateway.jar"), ports["gateway"],
                                      ports["management"], ports, routes, java=java, opts=gateway_opts)
        gateway = procs.start("gateway", gateway_cmd, env={
            "GATEWAY_UPSTREAM_POWERPOST": f"http://127.0.0.1:{ports['upstream']}",
            "GATEWAY_ADMIN_TOKEN": ADMIN_TOKEN, **KEY_SECRET})
        stock_cmd = [java, *JVM_OPTS, "-jar", os.path.join(ROOT, "bench/stock-scg/target/stock-scg.jar"),
                     f"--server.port={ports['stock']}"]
        stock = procs.start("stock-scg", stock_cmd,
                            env={"BENCH_UPSTREAM": f"http://127.0.0.1:{ports['upstream']}"})
        wait_http(f"http://127.0.0.1:{ports['management']}/actuator/health/readiness")
        wait_http(f"http://127.0.0.1:{ports['stock']}/")
        results["commands"] = {
            "gateway": " ".join(gateway_cmd), "stock-scg": " ".join(stock_cmd),
            "nginx-proxy": f"nginx -c {work}/nginx-proxy.conf", "upstream": f"nginx -c {work}/upstream.conf",
            "redis": f"redis-server --port {ports['redis']} --save '' --appendonly no"}

        keys = create_keys(ports["management"])
        valid_env = {"BENCH_KEY": keys["valid"]}
        check_answers(ports, keys)

        targets = {
            "gateway": {"name": "gateway", "port": ports["gateway"], "pid": gateway.pid,
                        "pids": lambda: [gateway.pid], "wrk_env": valid_env},
            "stock-scg": {"name": "stock-scg", "port": ports["stock"], "pid": stock.pid,
                          "pids": lambda: [stock.pid], "wrk_env": valid_env},
            "nginx": {"name": "nginx", "port": ports["nginx"], "pid": nginx_proxy.pid,
                      "pids": lambda: process_tree(nginx_proxy.pid), "wrk_env": valid_env},
        }
        variants = [v.split("=", 1) for v in args.variants.split(",") if v]
        variant_java = dict(v.split("=", 1) for v in args.variant_java)
        variant_opts = dict(v.split("=", 1) for v in args.variant_opts)
        results["jvms"] = {"common": version([java, "-version"])}
        for name, jar in variants:
            vports = (free_port(), free_port())
            vjava = java_bin(variant_java.get(name, args.java))
            # {upstream} in a variant's options: the upstream's host:port (an OTLP sink that answers 200)
            vopts = ([o.replace("{upstream}", f"127.0.0.1:{ports['upstream']}") for o in variant_opts[name].split()]
                     if name in variant_opts else JVM_OPTS)
            results["jvms"][name] = version([vjava, "-version"])
            if os.path.basename(jar).startswith("stock-scg"):
                cmd = [vjava, *vopts, "-jar", os.path.abspath(jar), f"--server.port={vports[0]}"]
                proc = procs.start(f"variant-{name}", cmd,
                                   env={"BENCH_UPSTREAM": f"http://127.0.0.1:{ports['upstream']}"})
                wait_http(f"http://127.0.0.1:{vports[0]}/")
            else:
                cmd = gateway_cmd_for(os.path.abspath(jar), vports[0], vports[1], ports, routes, java=vjava, opts=vopts)
                proc = procs.start(f"variant-{name}", cmd, env={
                    "GATEWAY_UPSTREAM_POWERPOST": f"http://127.0.0.1:{ports['upstream']}",
                    "GATEWAY_ADMIN_TOKEN": ADMIN_TOKEN, **KEY_SECRET})
                wait_http(f"http://127.0.0.1:{vports[1]}/actuator/health/readiness")
            targets[name] = {"name": name, "port": vports[0], "pid": proc.pid,
                             "pids": (lambda p=proc: [p.pid]), "wrk_env": valid_env}
            results["commands"][f"variant {name}"] = " ".join(cmd)
        order = [targets[name] for name, _ in variants] + [targets[t] for t in args.targets.split(",")]

        # -- warm-up: JIT, connection pools, the key cache. On 2 shared cores C2 takes minutes to
        # settle a Spring Cloud Gateway: chunks of load until two in a row agree within 5 %.
        for target in order:
            warm_up(target, args.warmup, 0 if target["name"] == "nginx" else args.warmup_min, args.warmup_max)

        # -- scenario 1: a warm valid key on a workspace route; targets alternate, twice
        for round_no in range(1, args.rounds + 1):
            for connections in connection_counts:
                for target in order:
                    redis_before = redis_commands(ports["redis"])
                    run = measured(target, connections, args.duration)
                    run["redis_commands"] = redis_commands(ports["redis"]) - redis_before - 1
                    run.update({"scenario": "warm-key", "round": round_no})
                    results["runs"].append(run)
                    log(f"warm-key r{round_no} c{connections} {target['name']}: {run['rps']:.0f} req/s, "
                        f"{run['req_per_cpu_s']:.0f} req/cpu-s, p99 {run['p99_us'] / 1000:.2f} ms, "
                        f"non-2xx {run['errors_status']}")

        gw = targets["gateway"]
        if "gateway" in args.targets:
            # -- scenario 2: 90 % valid, 5 % insufficient scope, 5 % unknown keys
            for connections in connection_counts:
                before = denials(ports["management"])
                run = measured(gw, connections, args.duration, script="mix.lua",
                               env={"BENCH_NOSCOPE_KEY": keys["noscope"]})
                after = denials(ports["management"])
                counted = {reason: after.get(reason, 0) - before.get(reason, 0) for reason in after}
                run.update({"scenario": "mix", "round": 1,
                            "status_401": counted.get("invalid_key", 0),
                            "status_403": counted.get("insufficient_scope", 0),
                            "status_429": counted.get("brute_force", 0) + counted.get("rate_limited", 0),
                            "status_other": run["errors_status"] - sum(counted.values())})
                run["status_200"] = run["requests"] - run["errors_status"]
                results["runs"].append(run)
                log(f"mix c{connections}: {run['rps']:.0f} req/s, 200/401/403/429/other "
                    f"{run['status_200']}/{run['status_401']}/{run['status_403']}/{run['status_429']}/{run['status_other']}")

            # -- scenario 3: a flood of distinct unknown keys while valid traffic runs
            results["flood"] = flood(gw, ports, args.duration)

            # -- scenario 4: a 200 MB upload through the gateway
            log(f"upload {args.upload_mb} MB")
            results["upload"] = upload(gw, args.upload_mb, work, keys["valid"])
            log(f"upload: {results['upload']}")

            # -- scenario 5: many distinct keys, each used every few seconds (last: it leaves them cached)
            if args.keys > 0:
                warm_64 = [r["rps"] for r in results["runs"] if r["scenario"] == "warm-key"
                           and r["target"] == "gateway" and r["connections"] == max(connection_counts)]
                results["keys"] = many_keys(gw, ports, args, connection_counts, work, keys,
                                            sum(warm_64) / len(warm_64) if warm_64 else 1000.0)
            results["gateway_log_bytes"] = os.path.getsize(os.path.join(work, "gateway.log"))
    finally:
        procs.stop_all()
        results["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        with open(os.path.join(work, "results.json"), "w") as f:
            json.dump(results, f, indent=2)
    with open(os.path.join(work, "results.md"), "w") as f:
        f.write(render(results))
    with open(os.path.join(work, "chart.svg"), "w") as f:
        f.write(chart_svg(results))
    log(f"results: {work}/results.md, {work}/chart.svg")


def java_bin(home):
    return os.path.join(home, "bin", "java") if home else "java"


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def gateway_cmd_for(jar, port, management_port, ports, routes, java="java", opts=None):
    return [java, *(JVM_OPTS if opts is None else opts), "-jar", jar, f"--server.port={port}", f"--management.server.port={management_port}",
            "--spring.data.redis.host=127.0.0.1", f"--spring.data.redis.port={ports['redis']}",
            f"--gateway.routes.file={routes}", "--gateway.edge.trusted-proxies=127.0.0.1/32",
            # sized for the many-keys scenario (100,000 keys beside the others): the defaults hold
            # 100,000 keys and rate-limit counts, and a replica with more active keys raises them
            "--gateway.keys.max-size=200000", "--gateway.rate-limit.max-keys=200000"]


def warm_up(target, chunk, least, most):
    """Chunks of load until two in a row agree within 5 % after at least `least` seconds (a JVM
    can plateau for a while between C2 compilations), at most `most` seconds."""
    started = time.time()
    last = None
    while True:
        rps = measured(target, 64, chunk)["rps"]
        settled = (last is not None and abs(rps - last) <= 0.05 * max(rps, last)
                   and time.time() - started >= least)
        log(f"warm-up {target['name']}: {rps:.0f} req/s")
        if settled or time.time() - started + chunk > most:
            break
        last = rps
    measured(target, 8, max(1, chunk // 2))
    log(f"warm-up {target['name']}: {'settled' if settled else 'stopped at the limit'} after {time.time() - started:.0f}s")


def flood(gw, ports, seconds):
    log("flood: valid traffic alone")
    before = redis_commands(ports["redis"])
    alone = measured(gw, 8, seconds)
    alone_redis = redis_commands(ports["redis"]) - before - 1
    log("flood: valid traffic during a flood of unknown keys")
    stats_before = redis_commandstats(ports["redis"])
    before = redis_commands(ports["redis"])
    cmd, attack = wrk(ports["gateway"], 64, seconds + 2, "flood.lua", {})
    time.sleep(1)
    during = measured(gw, 8, seconds)
    attack_result = wrk_result(attack)
    during_redis = redis_commands(ports["redis"]) - before - 1
    during_stats = commandstats_delta(stats_before, redis_commandstats(ports["redis"]))
    attack_rps = attack_result["requests"] / (attack_result["duration_us"] / 1e6)
    result = {
        "valid_alone": alone, "valid_during": during, "attack": attack_result, "attack_command": " ".join(cmd),
        "attack_rps": attack_rps,
        "valid_ratio": during["rps"] / alone["rps"],
        "redis_per_request_alone": alone_redis / alone["requests"],
        "redis_per_request_during": during_redis / (during["requests"] + attack_result["requests"]),
        "redis_per_attack_request": during_redis / max(1, attack_result["requests"]),
        # key look-ups (HGETALL of a record) while the flood ran: a forged key must cost none
        "lookups_during": during_stats.get("hgetall", 0),
        "redis_commandstats_during": during_stats,
        # the commands the valid traffic makes anyway (its rate alone) taken off: the flood's own
        "redis_per_attack_request_net": (during_redis - alone_redis / alone["requests"] * during["requests"])
                                        / max(1, attack_result["requests"]),
    }
    log(f"flood: valid {alone['rps']:.0f} -> {during['rps']:.0f} req/s ({result['valid_ratio']:.2f}x), "
        f"attack {attack_rps:.0f} req/s, redis/request alone {result['redis_per_request_alone']:.4f}")
    return result


def get_once(port, key):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{PATH}", headers={"x-api-key": key, "X-Workspace-Id": WORKSPACE})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def key_cache(management_port):
    """The gateway's key cache (Caffeine's metrics, cache="gateway.keys"): size, misses, evictions."""
    return {"size": gateway_metric(management_port, "cache_size", cache="gateway.keys"),
            "misses": gateway_metric(management_port, "cache_gets_total", cache="gateway.keys", result="miss"),
            "evictions": gateway_metric(management_port, "cache_evictions_total", cache="gateway.keys")}


def delta(after, before):
    return {k: (after[k] - before[k]) if after.get(k) is not None and before.get(k) is not None else None
            for k in after}


def many_keys(gw, ports, args, connection_counts, work, api_keys, warm_rps):
    """Scenario 5: `args.keys` distinct keys, written into Redis by the documented contract, all in
    the bench account (workspace ws_bench), each used every ~N/rate seconds (bench/wrk/keys.lua).
    A warm-up pass until every key was seen (all cached), then the measured runs, then a pass with
    MONITOR on for round trips; heap after a full GC before the keys and after they are cached."""
    n = args.keys
    secret_id = KEY_SECRET["GATEWAY_KEYS_MINTING_SECRET"]
    secret = base64.b64decode(KEY_SECRET[f"GATEWAY_KEYS_SECRETS_{secret_id.upper()}"])
    valid = api_keys["valid"]
    # the tag computed here must be the gateway's: checked on a key its management API minted
    if key_tag(secret, valid[:-6]) != valid[-6:]:
        raise RuntimeError("keys: the harness's tag of a key the gateway minted differs from the gateway's "
                           "(docs/security.md changed? auth/KeyTags)")
    template = key_record(ports["redis"], valid)   # the full-access key's account and scopes
    if template.get("key_secret") != secret_id:
        raise RuntimeError(f"keys: the API's key is tagged by {template.get('key_secret')!r}, not {secret_id!r}")
    pid, management = gw["pid"], ports["management"]
    histogram_before = class_histogram(pid, os.path.join(work, "keys-histogram-before.txt"))
    full_gc(pid)
    heap_before = heap_used_mb(pid)
    cache_before = key_cache(management)
    invalidated = gateway_metric(management, "gateway_keys_invalidations_total", type="key") or 0
    revalidations_before = gateway_metric(management, "gateway_keys_invalidations_total", type="all") or 0
    started = time.time()
    keys, path = write_keys(ports["redis"], n, template, secret_id, secret, work)
    write_s = time.time() - started
    log(f"keys: {n} keys written into Redis in {write_s:.1f}s (pipelined)")
    # the gateway applies each creation's invalidation message; a late one would evict a key the
    # warm-up just cached, so nothing starts before all of them were applied (or stopped arriving)
    last, still = None, time.time()
    while time.time() - started < 120:
        seen = (gateway_metric(management, "gateway_keys_invalidations_total", type="key") or 0) - invalidated
        if seen >= n:
            break
        if seen != last:
            last, still = seen, time.time()
        elif time.time() - still > 5:
            log(f"keys: the gateway applied {seen:.0f} of the {n} invalidation messages, then no more")
            break
        time.sleep(0.2)
    invalidations_s = time.time() - started - write_s
    sample = keys[:3] + random.sample(keys, min(2, len(keys)))
    for key in sample:
        status, body = get_once(ports["gateway"], key)
        if status != 200 or body != UPSTREAM_BODY:
            raise RuntimeError(f"keys: a written key was not accepted: expected 200 with the upstream's body, "
                               f"got {status} {body}")
    env = {"BENCH_KEYS_FILE": path}

    # warm-up: runs of 64 connections in a row, each going on where the one before stopped in
    # each thread's slice, until every thread went once over its own (every key seen, so cached);
    # a thread's last requests (one per connection) may be cut off by wrk's end: not counted. A
    # first pass slower than the cache's re-read age (cold keys are looked up) lets the first keys
    # expire again: then on, while a run still misses the cache, up to three passes in all.
    chunk = min(10, max(1, int(n / max(1000.0, warm_rps)) + 1))
    warm, offset, started = [], 0, time.time()
    while True:
        misses_before = key_cache(management).get("misses")
        run = measured(gw, 64, chunk, script="keys.lua", env={**env, "BENCH_KEYS_OFFSET": str(offset)})
        misses = key_cache(management).get("misses")
        run["key_cache_misses"] = misses - misses_before if misses is not None and misses_before is not None else None
        warm.append(run)
        offset += max(0, run["sent_min"] - 32)
        log(f"keys: warm-up {chunk}s: {run['rps']:.0f} req/s, {offset} of {run['slice_max']} keys per thread seen, "
            f"key-cache misses {run['key_cache_misses']}, non-2xx {run['errors_status']}")
        cold = run["key_cache_misses"] is not None and run["key_cache_misses"] > 0.001 * run["requests"]
        if offset >= run["slice_max"] and (not cold or offset >= 3 * run["slice_max"]):
            offset += 32   # the measured runs go on from there: one cycle over the keys, never restarted
            break
        if time.time() - started > 900:
            raise RuntimeError("keys: the warm-up did not go over every key in 15 minutes")
    histogram_warm = class_histogram(pid, os.path.join(work, "keys-histogram-warm.txt"))
    full_gc(pid)
    heap_warm = heap_used_mb(pid)
    cache_warm = key_cache(management)

    runs = []
    for connections in sorted(connection_counts, reverse=True):
        stats_before = redis_commandstats(ports["redis"])
        cache_run_before = key_cache(management)
        run = measured(gw, connections, args.duration, script="keys.lua", env={**env, "BENCH_KEYS_OFFSET": str(offset)})
        offset += run["sent_min"]
        stats = commandstats_delta(stats_before, redis_commandstats(ports["redis"]))
        requests = max(1, run["requests"])
        run.update({"scenario": "keys", "round": 1, "keys": n, "redis_commandstats": stats,
                    "commands_per_request": sum(stats.values()) / requests,
                    "script_calls_per_request": sum(v for k, v in stats.items() if k in SCRIPT_COMMANDS) / requests,
                    "lookups_per_request": stats.get("hgetall", 0) / requests,
                    "key_cache": delta(key_cache(management), cache_run_before)})
        runs.append(run)
        log(f"keys c{connections}: {run['rps']:.0f} req/s, {run['req_per_cpu_s']:.0f} req/cpu-s, "
            f"p99 {run['p99_us'] / 1000:.2f} ms, non-2xx {run['errors_status']}, "
            f"redis cmds/req {run['commands_per_request']:.3f} (script calls {run['script_calls_per_request']:.3f}, "
            f"look-ups {run['lookups_per_request']:.4f})")

    # round trips: what clients sent, told apart from what scripts ran, by MONITOR, in a pass of its own
    stats_before = redis_commandstats(ports["redis"])
    monitor = RedisMonitor(ports["redis"])
    try:
        traced = measured(gw, 64, args.duration, script="keys.lua", env={**env, "BENCH_KEYS_OFFSET": str(offset)})
    finally:
        client, script = monitor.stop()
    stats = commandstats_delta(stats_before, redis_commandstats(ports["redis"]))
    requests = max(1, traced["requests"])
    trace = {"requests": traced["requests"], "rps": traced["rps"], "client_commands": client,
             "script_commands": script, "commandstats": stats,
             "round_trips_per_request": sum(client.values()) / requests,
             "commands_per_request": (sum(client.values()) + sum(script.values())) / requests,
             "commandstats_per_request": sum(stats.values()) / requests,
             "command": traced["command"]}
    log(f"keys, traced: {trace['round_trips_per_request']:.3f} round trips and {trace['commands_per_request']:.3f} "
        f"commands per request (commandstats: {trace['commandstats_per_request']:.3f}); sent {client}, in scripts {script}")

    revalidations = (gateway_metric(management, "gateway_keys_invalidations_total", type="all") or 0) - revalidations_before
    cache_after = key_cache(management)
    histogram_after = class_histogram(pid, os.path.join(work, "keys-histogram-after.txt"))
    full_gc(pid)
    heap_after = heap_used_mb(pid)
    mb = 1024 * 1024

    def cached(cache):
        """Keys the scenario added to the key cache (its size from the gateway's metrics); n without them."""
        grown = (cache.get("size") or 0) - (cache_before.get("size") or 0)
        return grown if cache.get("size") is not None and grown > 0 else n
    cached_warm, cached_after = cached(cache_warm), cached(cache_after)
    result = {"keys": n, "write_seconds": write_s, "warm_up": warm, "runs": runs, "trace": trace,
              "heap_before_mb": heap_before, "heap_warm_mb": heap_warm, "heap_after_mb": heap_after,
              # live objects (the histograms' totals, each right after a full GC): exact, whereas the
              # heap jstat reports used also holds what was allocated after the GC (kept as a cross-check)
              "live_before_mb": live(histogram_before) / mb, "live_warm_mb": live(histogram_warm) / mb,
              "live_after_mb": live(histogram_after) / mb,
              "cached_warm": cached_warm, "cached_after": cached_after, "key_cache_after": cache_after,
              "heap_per_key_warm_b": (live(histogram_warm) - live(histogram_before)) / cached_warm,
              "heap_per_key_after_b": (live(histogram_after) - live(histogram_before)) / cached_after,
              "jstat_per_key_warm_b": (heap_warm - heap_before) * mb / cached_warm,
              "jstat_per_key_after_b": (heap_after - heap_before) * mb / cached_after,
              "invalidations_seconds": invalidations_s, "full_revalidations": revalidations,
              "heap_growth_warm": histogram_growth(histogram_before, histogram_warm),
              "heap_growth_after": histogram_growth(histogram_before, histogram_after),
              "key_cache_before": cache_before, "key_cache_warm": cache_warm,
              "key_cache_max_size": "gateway.keys.max-size (default 100000)"}
    log(f"keys: live heap {result['live_before_mb']:.1f} MB before, {result['live_warm_mb']:.1f} MB with every key "
        f"cached, {result['live_after_mb']:.1f} MB after the runs (after full GCs): "
        f"{result['heap_per_key_warm_b']:.0f} / {result['heap_per_key_after_b']:.0f} bytes per key "
        f"(jstat: {result['jstat_per_key_warm_b']:.0f} / {result['jstat_per_key_after_b']:.0f}); key cache {cache_warm}")
    return result


def denials(management_port):
    """gateway_denials_total by reason, summed over scopes, from the gateway's own scrape."""
    with urllib.request.urlopen(f"http://127.0.0.1:{management_port}/actuator/prometheus", timeout=10) as r:
        text = r.read().decode()
    counts = {}
    for line in text.splitlines():
        m = re.match(r'gateway_denials_total\{([^}]*)\} ([0-9.eE+]+)', line)
        if m:
            reason = re.search(r'reason="([^"]+)"', m.group(1)).group(1)
            counts[reason] = counts.get(reason, 0) + int(float(m.group(2)))
    return counts


def wait_redis(port, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() == "PONG":
            return
        time.sleep(0.1)
    raise RuntimeError("redis-server did not start")


def create_keys(management_port):
    base = f"http://127.0.0.1:{management_port}/admin/v1/accounts/{ACCOUNT}"
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    http("PUT", f"{base}/workspaces/{WORKSPACE}", headers=auth)
    _, valid = http("POST", f"{base}/keys", {"name": "bench full access", "preset": "full_access"}, auth)
    _, noscope = http("POST", f"{base}/keys", {"name": "bench generate only", "scopes": ["content:generate"]}, auth)
    return {"valid": valid["key"], "noscope": noscope["key"]}


def check_answers(ports, keys):
    """Each target answers the benchmark's request as expected before anything is measured."""
    def get(port, key):
        req = urllib.request.Request(f"http://127.0.0.1:{port}{PATH}",
                                     headers={"x-api-key": key, "X-Workspace-Id": WORKSPACE})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
    for name, port in (("gateway", ports["gateway"]), ("stock-scg", ports["stock"]), ("nginx", ports["nginx"])):
        status, body = get(port, keys["valid"])
        if status != 200 or body != UPSTREAM_BODY:
            raise RuntimeError(f"{name}: expected 200 with the upstream's body, got {status} {body}")
    status, body = get(ports["gateway"], keys["noscope"])
    if status != 403 or "INSUFFICIENT_SCOPE" not in body:
        raise RuntimeError(f"gateway: expected 403 INSUFFICIENT_SCOPE for the generate-only key, got {status} {body}")


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cpus": os.cpu_count(), "kernel": platform.release(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "java": version(["java", "-version"]), "nginx": version(["nginx", "-v"]),
            "wrk": version(["wrk", "-v"]), "redis": version(["redis-server", "--version"])}


# ---------------------------------------------------------------------------------------------
# The report

def render(results):
    runs = [r for r in results["runs"] if r["scenario"] == "warm-key"]
    m = results.get("machine", {})
    lines = [f"Run of {results['started']} to {results.get('finished', '?')} on {m.get('cpus')} × {m.get('cpu')}, "
             f"{m.get('memory_gb')} GB, Linux {m.get('kernel')}; {m.get('java')}; {m.get('nginx')}; "
             f"{m.get('redis')}. Arguments: `{' '.join(f'--{k}={v}' for k, v in results['args'].items() if k != 'work')}`.",
             *([f"JVMs of the variants: " + "; ".join(f"{k}: {v}" for k, v in results.get("jvms", {}).items() if k != "common") + "."]
               if len(results.get("jvms", {})) > 1 else []),
             "",
             "#### Warm valid key, `GET /api/v1/posts/post_123` with `X-Workspace-Id` (every run)",
             "",
             "| round | conns | target | req/s | p50 ms | p99 ms | p99.9 ms | proxy CPU s | req per proxy CPU-s | non-2xx | Redis cmds/req |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r['round']} | {r['connections']} | {r['target']} | {r['rps']:,.0f} | {r['p50_us'] / 1000:.2f} | "
                     f"{r['p99_us'] / 1000:.2f} | {r['p999_us'] / 1000:.2f} | {r['cpu_s']:.1f} | {r['req_per_cpu_s']:,.0f} | "
                     f"{r['errors_status'] + r['errors_connect'] + r['errors_read'] + r['errors_timeout']} | "
                     f"{r['redis_commands'] / max(1, r['requests']):.4f} |")
    lines += ["", "#### Ratios, gateway ÷ reference (mean of the rounds)", "",
              "| conns | reference | req/s | req per proxy CPU-s | p50 | p99 | p99 difference ms |",
              "|---|---|---|---|---|---|---|"]
    summary = {}
    for conns in sorted({r["connections"] for r in runs}):
        def mean(target, field):
            values = [r[field] for r in runs if r["target"] == target and r["connections"] == conns]
            return sum(values) / len(values) if values else float("nan")
        for ref in ("stock-scg", "nginx"):
            if not any(r["target"] == ref for r in runs) or not any(r["target"] == "gateway" for r in runs):
                continue
            ratios = {f: mean("gateway", f) / mean(ref, f) for f in ("rps", "req_per_cpu_s", "p50_us", "p99_us")}
            diff = (mean("gateway", "p99_us") - mean(ref, "p99_us")) / 1000
            summary[f"{conns}/{ref}"] = {**ratios, "p99_diff_ms": diff}
            lines.append(f"| {conns} | {ref} | {ratios['rps']:.2f}× | {ratios['req_per_cpu_s']:.2f}× | "
                         f"{ratios['p50_us']:.2f}× | {ratios['p99_us']:.2f}× | {diff:+.2f} |")
    results["summary"] = summary
    names = [v.split("=", 1)[0] for v in results["args"].get("variants", "").split(",") if v]
    if names:
        lines += ["", "#### Builds of the gateway side by side (req per proxy CPU-s, mean of the rounds; "
                  "÷ the stock route in the same run)", "",
                  "| build | conns | req/s | req per proxy CPU-s | ÷ stock-scg | p99 ms |", "|---|---|---|---|---|---|"]
        for conns in sorted({r["connections"] for r in runs}):
            def mean_of(target, field):
                values = [r[field] for r in runs if r["target"] == target and r["connections"] == conns]
                return sum(values) / len(values) if values else float("nan")
            stock = mean_of("stock-scg", "req_per_cpu_s")
            for name in names + ["gateway"]:
                if any(r["target"] == name for r in runs):
                    lines.append(f"| {name} | {conns} | {mean_of(name, 'rps'):,.0f} | {mean_of(name, 'req_per_cpu_s'):,.0f} | "
                                 f"{mean_of(name, 'req_per_cpu_s') / stock:.2f}× | {mean_of(name, 'p99_us') / 1000:.2f} |")
    mix = [r for r in results["runs"] if r["scenario"] == "mix"]
    if mix:
        lines += ["", "#### Mix: 90 % valid, 5 % insufficient scope, 5 % unknown keys (gateway)", "",
                  "| conns | req/s | p50 ms | p99 ms | p99.9 ms | req per proxy CPU-s | 200 | 401 | 403 | 429 | other |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in mix:
            lines.append(f"| {r['connections']} | {r['rps']:,.0f} | {r['p50_us'] / 1000:.2f} | {r['p99_us'] / 1000:.2f} | "
                         f"{r['p999_us'] / 1000:.2f} | {r['req_per_cpu_s']:,.0f} | {r['status_200']} | {r['status_401']} | "
                         f"{r['status_403']} | {r['status_429']} | {r['status_other']} |")
    f = results.get("flood")
    if f:
        lines += ["", "#### Flood of distinct unknown keys (64 connections, each request a new key from a new address) "
                  "beside valid traffic (8 connections)", "",
                  "| | valid req/s | valid p99 ms | flood req/s | Redis cmds per request |",
                  "|---|---|---|---|---|",
                  f"| valid traffic alone | {f['valid_alone']['rps']:,.0f} | {f['valid_alone']['p99_us'] / 1000:.2f} | – | "
                  f"{f['redis_per_request_alone']:.4f} |",
                  f"| during the flood | {f['valid_during']['rps']:,.0f} | {f['valid_during']['p99_us'] / 1000:.2f} | "
                  f"{f['attack_rps']:,.0f} | {f['redis_per_request_during']:.4f} (per flood request "
                  f"{f['redis_per_attack_request']:.3f}; net of the valid traffic's own "
                  f"{f.get('redis_per_attack_request_net', float('nan')):.4f}) |",
                  "", f"Valid throughput during the flood: **{f['valid_ratio']:.2f}×** the figure without it "
                  f"(target ≥ 0.9×: {'met' if f['valid_ratio'] >= 0.9 else 'missed'}); key look-ups (`HGETALL`) "
                  f"while it ran: {f.get('lookups_during', '–')} for {f['attack']['requests']:,} forged keys."]
    lines += render_keys(results)
    u = results.get("upload")
    if u:
        lines += ["", f"#### {u['size_mb']} MB upload through the gateway (`POST {UPLOAD_PATH}`)", "",
                  "| status | seconds | heap before (after full GC) | heap peak during | heap after (after full GC) | "
                  "RSS before | RSS peak | RSS after |",
                  "|---|---|---|---|---|---|---|---|",
                  f"| {u['status']} | {u['seconds']:.1f} | {u['heap_before_mb']:.1f} MB | {u['heap_peak_mb']:.1f} MB "
                  f"(+{u['heap_peak_growth_mb']:.1f}) | {u['heap_after_mb']:.1f} MB ({u['heap_growth_mb']:+.1f}) | "
                  f"{u['rss_before_mb']:.0f} MB | {u['rss_peak_mb']:.0f} MB | {u['rss_after_mb']:.0f} MB |"]
    at = lines.index("") + 1
    lines[at:at] = render_targets(results)
    lines += ["", "Commands (ports are chosen per run):", "", "```"]
    for name, cmd in results.get("commands", {}).items():
        lines.append(f"{name}: {cmd}")
    if runs:
        lines.append(f"wrk: {runs[0]['command']}")
    if results.get("keys", {}).get("runs"):
        lines.append(f"wrk ({results['keys']['keys']:,} keys): {results['keys']['runs'][0]['command']}")
    lines += ["```", ""]
    return "\n".join(lines)


def warm_key_mean(results, target, connections, field):
    values = [r[field] for r in results["runs"] if r["scenario"] == "warm-key" and r["target"] == target
              and r["connections"] == connections]
    return sum(values) / len(values) if values else None


def render_keys(results):
    k = results.get("keys")
    if not k:
        return []
    n, t = k["keys"], k["trace"]
    warm = k["warm_up"]
    warm_s = sum(r["duration_us"] for r in warm) / 1e6
    warm_bad = sum(r["errors_status"] + r["errors_connect"] + r["errors_read"] + r["errors_timeout"] for r in warm)
    cache = k.get("key_cache_warm") or {}
    fmt = lambda v, f="{:,.0f}": "–" if v is None else f.format(v)
    lines = ["", f"#### {n:,} distinct keys (gateway): every key in turn, `GET {PATH}` with `X-Workspace-Id` "
             f"(bench/wrk/keys.lua; each wrk thread cycles over its own slice of the keys)", "",
             f"The keys were written into Redis by docs/redis-schema.md (record, its secret's set, key-id entry, "
             f"the account's index and key info, the invalidation message; each key tagged under the gateway's "
             f"configured secret `bench`, the tag computed by the harness and checked against a key the gateway "
             f"minted) in {k['write_seconds']:.1f} s, pipelined; the gateway had applied the {n:,} invalidation "
             f"messages {k['invalidations_seconds']:.1f} s later (full revalidations of its cache, after a "
             f"re-subscription, during the scenario: {fmt(k.get('full_revalidations'))}); a few of the keys answered 200 before anything else. "
             f"Warm-up: {len(warm)} run(s) of 64 connections, {warm_s:.0f} s, until every key had been seen and "
             f"a run missed the key cache no more than once per 1,000 requests, or three passes (non-2xx {warm_bad}; "
             f"key-cache misses in its last run {fmt(warm[-1].get('key_cache_misses'))} of "
             f"{warm[-1]['requests']:,} requests); the key cache then held {fmt(cache.get('size'))} entries "
             f"(`gateway.keys.max-size`, 100,000 by default), evictions so far {fmt(cache.get('evictions'))}. "
             f"The measured runs go on over the keys from where the run before stopped (each starts where its "
             f"slowest wrk thread stopped), so the cycle over the keys is not restarted (passes: the fewest full "
             f"passes a wrk thread made over its slice in the run). Ratios are to the warm single key of this run "
             f"(gateway, same connections). Redis figures per request depend on how many of the gateway's usage "
             f"flushes (`gateway.usage.flush-interval`, 5 s by default) fall in a run: runs of several intervals "
             f"(15 s by default) keep that error small.", "",
             "| conns | req/s | p50 ms | p99 ms | p99.9 ms | req per proxy CPU-s | ÷ warm key, req per proxy CPU-s | "
             "÷ warm key, req/s | p99 ÷ warm key | passes over the keys | non-2xx | Redis commands/req | "
             "script calls/req | `HGETALL`/req (key look-ups; any in scripts too) | key-cache misses | evictions |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in k["runs"]:
        c = r["connections"]
        w_cpu = warm_key_mean(results, "gateway", c, "req_per_cpu_s")
        w_rps = warm_key_mean(results, "gateway", c, "rps")
        w_p99 = warm_key_mean(results, "gateway", c, "p99_us")
        ratio = lambda a, b: f"{a / b:.2f}×" if b else "–"
        bad = r["errors_status"] + r["errors_connect"] + r["errors_read"] + r["errors_timeout"]
        kc = r.get("key_cache") or {}
        lines.append(f"| {c} | {r['rps']:,.0f} | {r['p50_us'] / 1000:.2f} | {r['p99_us'] / 1000:.2f} | "
                     f"{r['p999_us'] / 1000:.2f} | {r['req_per_cpu_s']:,.0f} | {ratio(r['req_per_cpu_s'], w_cpu)} | "
                     f"{ratio(r['rps'], w_rps)} | {ratio(r['p99_us'], w_p99)} | {r['passes_min']} | {bad} | "
                     f"{r['commands_per_request']:.3f} | {r['script_calls_per_request']:.3f} | "
                     f"{r['lookups_per_request']:.4f} | {fmt(kc.get('misses'))} | {fmt(kc.get('evictions'))} |")
    fastest = max((r["rps"] for r in k["runs"]), default=0)
    if fastest:
        cycle = n / fastest
        slow = cycle > 60 or warm_s > 60
        lines += ["", f"At the fastest of these rates a key came round every {cycle:.0f} s, and the warm-up took "
                  f"{warm_s:.0f} s" + (f": longer than the key cache's re-read age (`gateway.keys.max-age`, 60 s by "
                  f"default), so keys expired before their next use and were looked up again: **the figures above are "
                  f"then not all those of cached keys** (the key-cache misses say how many were not; a faster "
                  f"machine, or fewer keys with `--keys`)." if slow else
                  " (the key cache re-reads an entry after `gateway.keys.max-age`, 60 s by default).")]
    sent, inner = t["client_commands"], t["script_commands"]
    listing = lambda d: ", ".join(f"{name} {count:,}" for name, count in sorted(d.items(), key=lambda i: -i[1])) or "none"
    lines += ["", "Redis work per request once every key was seen:", "",
              "| figure | per request | how it is derived |", "|---|---|---|",
              f"| round trips (commands the gateway sent) | **{t['round_trips_per_request']:.3f}** | `MONITOR` on during a "
              f"pass of its own (64 connections, {t['requests']:,} requests; MONITOR costs Redis a line per command, "
              f"so never in a measured run): every line from a client address is one command sent, one round trip "
              f"(a pipelined batch still counts one per command); lines marked `lua` were run by a script |",
              f"| commands executed, those inside scripts included | **{t['commands_per_request']:.3f}** (measured runs: "
              + ", ".join(f"{r['commands_per_request']:.3f} at {r['connections']}" for r in k["runs"]) +
              f") | the pass above: sent + run by scripts; the measured runs: `INFO commandstats` before and after, the "
              f"sum of every row's calls but `info` (the harness's own readings). Redis 7 counts each command a script "
              f"runs in its own row beside the EVAL/EVALSHA (checked on redis-server 7.0.15: an EVAL of three calls "
              f"moves `eval` by 1 and `total_commands_processed` by 4); in the same pass commandstats gave "
              f"{t['commandstats_per_request']:.3f} (its window is a little wider: read before MONITOR connects and "
              f"after MONITOR's last line, so a usage flush at either edge moves it alone) |",
              f"| of which run by scripts | {sum(inner.values()) / max(1, t['requests']):.3f} | the pass above |",
              f"| script calls (EVAL/EVALSHA) | " + ", ".join(f"{r['script_calls_per_request']:.3f} at {r['connections']}"
                                                         for r in k["runs"]) + " | commandstats of the measured runs |",
              "", f"Sent in that pass: {listing(sent)}. Run by scripts: {listing(inner)}.",
              "", "Heap: the live objects counted by `jcmd GC.class_histogram` (which runs a full GC first), before "
              "the keys were written, once every key was seen, and after the measured runs; the difference divided by "
              "the keys the key cache then held more than before (its size from the gateway's metrics: "
              f"{k.get('cached_warm', n):,.0f} and {k.get('cached_after', n):,.0f}) is the heap per cached key (the key "
              "cache, the last-good copy kept for Redis outages, usage per key and whatever else the gateway keeps per "
              "active key). Beside it, G1's used heap (`jstat -gc`, S0U+S1U+EU+OU) after a further `jcmd GC.run`, "
              "which also holds what was allocated after that GC:", "",
              "| | before the keys | every key cached (after the warm-up) | after the measured runs | "
              "per key, cached | per key, after the runs |", "|---|---|---|---|---|---|",
              f"| live objects (class histogram) | {k['live_before_mb']:.1f} MB | {k['live_warm_mb']:.1f} MB | "
              f"{k['live_after_mb']:.1f} MB | **{k['heap_per_key_warm_b']:,.0f} B** | **{k['heap_per_key_after_b']:,.0f} B** |",
              f"| used heap (jstat) | {k['heap_before_mb']:.1f} MB | {k['heap_warm_mb']:.1f} MB | {k['heap_after_mb']:.1f} MB | "
              f"{k['jstat_per_key_warm_b']:,.0f} B | {k['jstat_per_key_after_b']:,.0f} B |",
              "", "What grew most between the histograms before the keys and after the runs (class: instances, bytes per key): "
              + "; ".join(f"`{name}` {count / n:+.2f}, {size / n:+,.0f} B" for name, count, size in k["heap_growth_after"][:6])
              + ". The histograms are in the run's work directory (`keys-histogram-*.txt`)."]
    return lines


def image_jdk():
    """The JDK the image ships: docker/Dockerfile's RUNTIME_IMAGE."""
    try:
        with open(os.path.join(ROOT, "docker", "Dockerfile")) as f:
            m = re.search(r"ARG RUNTIME_IMAGE=(\S+)", f.read())
        return m.group(1) if m else "unknown"
    except OSError:
        return "unknown"


def render_targets(results):
    """One row per target of issue 25: the measured value and whether it was met."""
    rows = []

    def row(target, value, met, how):
        rows.append(f"| {target} | {value} | {'**met**' if met else ('**missed**' if met is not None else 'not measured')} | {how} |")

    s = results.get("summary", {})
    for c in (8, 64):
        v = s.get(f"{c}/stock-scg")
        row(f"warm key, req per proxy CPU-s ≥ 1.25× the stock route, {c} connections",
            f"{v['req_per_cpu_s']:.2f}×" if v else "–", (v["req_per_cpu_s"] >= 1.25) if v else None,
            "gateway ÷ stock-scg, mean of the rounds, same JVM")
    v = s.get("8/stock-scg")
    row("warm key, p99 at 8 connections ≤ the stock route's",
        f"{v['p99_us']:.2f}× ({v['p99_diff_ms']:+.2f} ms)" if v else "–", (v["p99_us"] <= 1.0) if v else None,
        "gateway ÷ stock-scg, mean of the rounds")
    k = results.get("keys")
    runs = (k or {}).get("runs", [])
    label = f"{k['keys']:,} keys" if k else "100,000 keys"
    for r in sorted(runs, key=lambda r: -r["connections"]):
        c = r["connections"]
        w_cpu = warm_key_mean(results, "gateway", c, "req_per_cpu_s")
        w_rps = warm_key_mean(results, "gateway", c, "rps")
        w_p99 = warm_key_mean(results, "gateway", c, "p99_us")
        if w_cpu:
            ratio = r["req_per_cpu_s"] / w_cpu
            row(f"{label}, ≥ 0.8× the warm key, {c} connections",
                f"{ratio:.2f}× (req/s {r['rps'] / w_rps:.2f}×)", ratio >= 0.8,
                "req per proxy CPU-s ÷ the warm key's (gateway, same connections); req/s beside it, which also "
                "measures wrk's per-request Lua on the shared cores")
        if w_p99:
            ratio = r["p99_us"] / w_p99
            row(f"{label}, p99 ≤ 2× the warm key's, {c} connections",
                f"{ratio:.2f}× ({r['p99_us'] / 1000:.2f} against {w_p99 / 1000:.2f} ms)", ratio <= 2.0,
                "p99 ÷ the warm key's p99 (gateway, same connections)")
    if k:
        t = k["trace"]
        row(f"{label}, ≤ 0.05 Redis round trips per request", f"{t['round_trips_per_request']:.3f}",
            t["round_trips_per_request"] <= 0.05, "MONITOR, a pass of its own at 64 connections")
        worst = max([r["commands_per_request"] for r in runs] + [t["commands_per_request"]])
        row(f"{label}, ≤ 1 Redis command executed per request (inside scripts included)", f"{worst:.3f}",
            worst <= 1.0, "the highest of the measured runs (commandstats) and the MONITOR pass")
        heap = max(k["heap_per_key_warm_b"], k["heap_per_key_after_b"])
        row(f"{label}, ≤ 1 KB of heap per cached key", f"{heap:,.0f} B", heap <= 1024,
            "after a full GC, the higher of: every key cached, after the runs")
    else:
        for what in ("≥ 0.8× the warm key", "p99 ≤ 2× the warm key's", "≤ 0.05 Redis round trips per request",
                     "≤ 1 Redis command executed per request", "≤ 1 KB of heap per cached key"):
            row(f"{label}, {what}", "–", None, "")
    # variants on another JVM, each against the stock route's variant on that JVM (--variant-java)
    jvms = results.get("jvms", {})
    jars = dict(v.split("=", 1) for v in results["args"].get("variants", "").split(",") if v)
    is_stock = lambda name: os.path.basename(jars[name]).startswith("stock-scg")
    for name in jars:
        stock = [m for m in jars if is_stock(m) and jvms.get(m) == jvms.get(name)]
        if is_stock(name) or not stock or jvms.get(name) == jvms.get("common"):
            continue
        for c in (8, 64):
            a, b = warm_key_mean(results, name, c, "req_per_cpu_s"), warm_key_mean(results, stock[0], c, "req_per_cpu_s")
            if a and b:
                row(f"warm key on {jvms.get(name)} (variant {name} ÷ {stock[0]}), req per proxy CPU-s ≥ 1.25×, "
                    f"{c} connections", f"{a / b:.2f}×", a / b >= 1.25, "variants, mean of the rounds")
        a, b = warm_key_mean(results, name, 8, "p99_us"), warm_key_mean(results, stock[0], 8, "p99_us")
        if a and b:
            row(f"warm key on {jvms.get(name)} (variant {name}), p99 at 8 connections ≤ {stock[0]}'s",
                f"{a / b:.2f}× ({(a - b) / 1000:+.2f} ms)", a <= b, "variants, mean of the rounds")
    f = results.get("flood")
    row("flood of forged keys, valid throughput ≥ 0.9× the figure without it",
        f"{f['valid_ratio']:.2f}×" if f else "–", (f["valid_ratio"] >= 0.9) if f else None,
        "valid req/s during ÷ alone, 8 connections")
    if f:
        gross, net = f["redis_per_attack_request"], f.get("redis_per_attack_request_net", float("nan"))
        looked = f.get("lookups_during")
        row("flood of forged keys, no Redis command per forged key",
            f"{gross:.4f} per forged key, all commands while it ran (net of the valid traffic's rate {net:.4f})"
            + (f"; {looked} key look-ups for {f['attack']['requests']:,} forged keys" if looked is not None else ""),
            gross < 0.05 and (looked is None or looked <= 0.001 * f["attack"]["requests"]),
            "every Redis command during the flood (the valid traffic's usage flushes included) ÷ forged requests; "
            "met below 0.05 (one command per forged key would give 1 or more) with no more than one key look-up "
            "(`HGETALL`) per 1,000 forged keys")
    else:
        row("flood of forged keys, no Redis command per forged key", "–", None, "")
    common = jvms.get("common") or results.get("machine", {}).get("java", "unknown")
    return ["#### Targets of issue 25", "",
            f"JVM of this table: {common} (every target but the variants named below). The image ships "
            f"`{image_jdk()}` (docker/Dockerfile): JDK 17 as well, so this table stands for both JVMs the issue asks "
            f"for (same major version, another build). A variant on another JDK is measured beside these with "
            f"`--variant-java` (below when given).", "",
            "| target | measured | met? | how |", "|---|---|---|---|", *rows, ""]


def chart_svg(results):
    """Requests per proxy CPU-second with a warm key, mean of the rounds, one bar per target and
    build, grouped by connections; each bar says its ratio to the stock route of the same run.
    nginx, an order of magnitude above, is written beside its group rather than drawn to scale."""
    runs = [r for r in results["runs"] if r["scenario"] == "warm-key"]
    conns = sorted({r["connections"] for r in runs})
    names = [n for n in dict.fromkeys(r["target"] for r in runs) if n != "nginx"]
    jvms = results.get("jvms", {})
    jvm = lambda n: jvms.get(n, jvms.get("common", ""))
    # by JVM, the stock route first in each group: each bar is compared with the stock route on its JVM
    order = list(dict.fromkeys(jvm(n) for n in ["stock-scg"] + names))
    names.sort(key=lambda n: (order.index(jvm(n)), not n.startswith("stock"), n == "gateway"))

    def mean(target, c):
        values = [r["req_per_cpu_s"] for r in runs if r["target"] == target and r["connections"] == c]
        return sum(values) / len(values) if values else None

    def stock_for(n, c):
        same = [m for m in names if m.startswith("stock") and jvm(m) == jvm(n)]
        return mean(same[0], c) if same else None

    # the many-keys scenario, gateway only: one bar more in the group of its connections
    many = {r["connections"]: r for r in (results.get("keys") or {}).get("runs", [])}
    many_label = f"gateway, {results['keys']['keys']:,} keys" if many else ""
    top = max([mean(n, c) or 0 for n in names for c in conns] + [r["req_per_cpu_s"] for r in many.values()] + [1])
    bar, gap, left, width = 22, 4, 150 + (40 if many else 0), 470
    height = 60 + len(conns) * ((len(names) + (1 if many else 0)) * (bar + gap) + 40)
    esc = lambda t: t.replace("&", "&amp;").replace("<", "&lt;")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 130}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">Requests per proxy CPU-second, warm key '
           f'(mean of {results["args"].get("rounds", "?")} rounds; ratio to the stock route on the same JVM)'
           + (f'; and {results["keys"]["keys"]:,} distinct keys' if many else '') + '</text>',
           f'<text x="10" y="40" fill="#555">{esc(results.get("started", ""))}, '
           f'{esc(results.get("machine", {}).get("java", ""))}</text>']
    y = 60
    for c in conns:
        nginx = mean("nginx", c)
        label = f"{c} connections" + (f" (nginx: {nginx:,.0f})" if nginx else "")
        out.append(f'<text x="10" y="{y + 14}" font-weight="bold">{esc(label)}</text>')
        y += 22
        for n in names:
            value = mean(n, c)
            if value is None:
                continue
            w = max(1, int(width * value / top))
            colour = "#999" if n.startswith("stock") else ("#1f6fb4" if n == "gateway" else "#8fb8de")
            stock = stock_for(n, c)
            ratio = f" ({value / stock:.2f}×)" if stock else ""
            label_jvm = jvm(n).split('"')[1] if '"' in jvm(n) else ""
            if label_jvm and len(order) > 1:
                n = f"{n} (JDK {label_jvm.split('.')[0]})"
            out.append(f'<text x="{left - 6}" y="{y + bar - 7}" text-anchor="end">{esc(n)}</text>')
            out.append(f'<rect x="{left}" y="{y}" width="{w}" height="{bar}" fill="{colour}"/>')
            out.append(f'<text x="{left + w + 4}" y="{y + bar - 7}">{value:,.0f}{ratio}</text>')
            y += bar + gap
        if c in many:
            value = many[c]["req_per_cpu_s"]
            w = max(1, int(width * value / top))
            stock, warm = stock_for("gateway", c), mean("gateway", c)
            ratio = ", ".join(t for t in (f"{value / stock:.2f}× stock" if stock else "",
                                          f"{value / warm:.2f}× warm key" if warm else "") if t)
            out.append(f'<text x="{left - 6}" y="{y + bar - 7}" text-anchor="end">{esc(many_label)}</text>')
            out.append(f'<rect x="{left}" y="{y}" width="{w}" height="{bar}" fill="#4f9a6b"/>')
            out.append(f'<text x="{left + w + 4}" y="{y + bar - 7}">{value:,.0f}{f" ({ratio})" if ratio else ""}</text>')
            y += bar + gap
        y += 18
    out.append("</svg>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
