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
import datetime
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
                "BENCH_WORKSPACE": WORKSPACE, **env}
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
            f"--gateway.routes.file={routes}", "--gateway.edge.trusted-proxies=127.0.0.1/32"]


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
    before = redis_commands(ports["redis"])
    cmd, attack = wrk(ports["gateway"], 64, seconds + 2, "flood.lua", {})
    time.sleep(1)
    during = measured(gw, 8, seconds)
    attack_result = wrk_result(attack)
    during_redis = redis_commands(ports["redis"]) - before - 1
    attack_rps = attack_result["requests"] / (attack_result["duration_us"] / 1e6)
    result = {
        "valid_alone": alone, "valid_during": during, "attack": attack_result, "attack_command": " ".join(cmd),
        "attack_rps": attack_rps,
        "valid_ratio": during["rps"] / alone["rps"],
        "redis_per_request_alone": alone_redis / alone["requests"],
        "redis_per_request_during": during_redis / (during["requests"] + attack_result["requests"]),
        "redis_per_attack_request": during_redis / max(1, attack_result["requests"]),
        # the commands the valid traffic makes anyway (its rate alone) taken off: the flood's own
        "redis_per_attack_request_net": (during_redis - alone_redis / alone["requests"] * during["requests"])
                                        / max(1, attack_result["requests"]),
    }
    log(f"flood: valid {alone['rps']:.0f} -> {during['rps']:.0f} req/s ({result['valid_ratio']:.2f}x), "
        f"attack {attack_rps:.0f} req/s, redis/request alone {result['redis_per_request_alone']:.4f}")
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
                  "", f"Valid throughput during the flood: **{f['valid_ratio']:.2f}×** the figure without it."]
    u = results.get("upload")
    if u:
        lines += ["", f"#### {u['size_mb']} MB upload through the gateway (`POST {UPLOAD_PATH}`)", "",
                  "| status | seconds | heap before (after full GC) | heap peak during | heap after (after full GC) | "
                  "RSS before | RSS peak | RSS after |",
                  "|---|---|---|---|---|---|---|---|",
                  f"| {u['status']} | {u['seconds']:.1f} | {u['heap_before_mb']:.1f} MB | {u['heap_peak_mb']:.1f} MB "
                  f"(+{u['heap_peak_growth_mb']:.1f}) | {u['heap_after_mb']:.1f} MB ({u['heap_growth_mb']:+.1f}) | "
                  f"{u['rss_before_mb']:.0f} MB | {u['rss_peak_mb']:.0f} MB | {u['rss_after_mb']:.0f} MB |"]
    lines += ["", "Commands (ports are chosen per run):", "", "```"]
    for name, cmd in results.get("commands", {}).items():
        lines.append(f"{name}: {cmd}")
    if runs:
        lines.append(f"wrk: {runs[0]['command']}")
    lines += ["```", ""]
    return "\n".join(lines)


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

    top = max([mean(n, c) or 0 for n in names for c in conns] + [1])
    bar, gap, left, width = 22, 4, 150, 470
    height = 60 + len(conns) * (len(names) * (bar + gap) + 40)
    esc = lambda t: t.replace("&", "&amp;").replace("<", "&lt;")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 130}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">Requests per proxy CPU-second, warm key '
           f'(mean of {results["args"].get("rounds", "?")} rounds; ratio to the stock route on the same JVM)</text>',
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
        y += 18
    out.append("</svg>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
