"""A canned stand-in for the PowerPost API, for docker/compose.yml only.

It answers the 18 endpoints of routes.yml with HTTP 200 and fixed JSON in the documented shapes
(the same answers as the demo's, demo/…/MockPowerPostUpstream),
and anything else with PowerPost's 404 body; HEAD is answered as GET. It keeps no state. Request
bodies are read in chunks and only counted (a media upload reports size_bytes). Each answer echoes
what the gateway forwarded: X-Mock-Saw-Workspace (X-Workspace-Id) and X-Mock-Saw-Account
(X-PowerPost-Account-Id).

Standard library only: python3 server.py [port] (default 8080).
"""
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API = "/api/v1"
CREATED_AT = "2026-01-15T09:30:00Z"
MEDIA_ID = "3f2b8c1e-5d7a-4e9b-9c2f-1a6d8e4b7c01"
BALANCE = 47
NOT_FOUND = {"error": {"code": "NOT_FOUND", "message": "Resource not found"}}


def started(id_field, ident, status_path, used):
    return {id_field: ident, "status": "pending", "status_url": API + status_path + ident,
            "credits_used": used, "remaining_credits": BALANCE - used}


def post(ident, status, item_status):
    return {"id": ident, "status": status, "created_at": CREATED_AT,
            "items": [{"id": "item_demo_01", "post_type": "instagram-feed", "status": item_status}]}


def calendar_entry(ident):
    return {"id": ident, "title": "Spring roast launch",
            "description": "Teaser on Instagram, announcement on LinkedIn.",
            "scheduled_date": "2026-03-02", "scheduled_time": "09:30",
            "platforms": ["instagram", "linkedin"], "created_at": CREATED_AT}


def generation_summary(ident, status):
    return {"id": ident, "status": status, "post_types": ["instagram-feed", "linkedin-post"],
            "created_at": CREATED_AT}


# (method, path pattern, answer(id, body size)); {id} is one path segment.
ROUTES = [
    ("GET", "/account/credits", lambda i, n: {"balance": BALANCE}),
    ("POST", "/media/upload", lambda i, n: {"media_id": MEDIA_ID, "size_bytes": n}),
    ("POST", "/content/generate", lambda i, n: started("generation_id", "gen_demo_02", "/content/generations/", 1)),
    ("GET", "/content/generations", lambda i, n: {
        "data": [generation_summary("gen_demo_01", "completed"), generation_summary("gen_demo_02", "processing")],
        "next_cursor": None, "has_more": False}),
    ("GET", "/content/generations/{id}", lambda i, n: dict(generation_summary(i, "completed"), outputs={
        "instagram-feed": {"content": "Fresh beans, slow mornings. Our spring roast is here."},
        "linkedin-post": {"content": "We just launched our spring roast. Here is what we learned."}})),
    ("POST", "/images/generate", lambda i, n: started("image_generation_id", "img_demo_01", "/images/generations/", 2)),
    ("GET", "/images/generations/{id}", lambda i, n: {"id": i, "status": "completed", "created_at": CREATED_AT,
        "images": [{"media_id": MEDIA_ID, "url": "https://cdn.example.com/demo/image-1.png"}]}),
    ("POST", "/videos/generate", lambda i, n: started("video_generation_id", "vid_demo_01", "/videos/generations/", 10)),
    ("GET", "/videos/generations/{id}", lambda i, n: {"id": i, "status": "completed", "created_at": CREATED_AT,
        "video": {"media_id": MEDIA_ID, "url": "https://cdn.example.com/demo/video-1.mp4",
                  "duration": 5, "size": "landscape"}}),
    ("POST", "/posts", lambda i, n: post("post_demo_02", "draft", "draft")),
    ("GET", "/posts/{id}", lambda i, n: post(i, "published", "posted")),
    ("POST", "/posts/{id}/publish", lambda i, n: {"id": i, "status": "publishing", "status_url": API + "/posts/" + i,
        "credits_used": 1, "remaining_credits": BALANCE - 1}),
    ("GET", "/post-items/{id}/analytics", lambda i, n: {"post_item_id": i, "metrics": {
        "views": 1280, "likes": 96, "comments": 12, "fetched_at": "2026-01-16T06:00:00Z"}}),
    ("GET", "/calendar/entries", lambda i, n: {"entries": [calendar_entry("cal_demo_01")]}),
    ("POST", "/calendar/entries", lambda i, n: calendar_entry("cal_demo_02")),
    ("GET", "/calendar/entries/{id}", lambda i, n: calendar_entry(i)),
    ("PATCH", "/calendar/entries/{id}", lambda i, n: calendar_entry(i)),
    ("DELETE", "/calendar/entries/{id}", lambda i, n: {"success": True}),
]
COMPILED = [(m, re.compile("^" + API + p.replace("{id}", "(?P<id>[^/]+)") + "$"), f) for m, p, f in ROUTES]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_one(self):
        size = self.drain()
        path = self.path.split("?", 1)[0]
        for method, pattern, answer in COMPILED:
            match = pattern.match(path)
            if match and method == ("GET" if self.command == "HEAD" else self.command):
                return self.reply(200, answer(match.groupdict().get("id"), size))
        return self.reply(404, NOT_FOUND)

    def drain(self):
        """Reads and counts the body (Content-Length or chunked) without keeping it."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            total = 0
            while True:
                chunk = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if chunk == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return total
                total += self.skip(chunk)
                self.rfile.readline()
        return self.skip(int(self.headers.get("Content-Length") or 0))

    def skip(self, length):
        left = length
        while left > 0:
            read = len(self.rfile.read(min(left, 65536)))
            if read == 0:
                break
            left -= read
        return length - left

    def reply(self, status, body):
        data = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for header, echo in (("X-Workspace-Id", "X-Mock-Saw-Workspace"),
                             ("X-PowerPost-Account-Id", "X-Mock-Saw-Account")):
            if self.headers.get(header) is not None:
                self.send_header(echo, self.headers.get(header))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = handle_one

    def log_message(self, fmt, *args):
        sys.stderr.write("mock-powerpost %s %s\n" % (self.address_string(), fmt % args))


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()
