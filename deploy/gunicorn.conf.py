"""gunicorn settings for one app node (used by deploy/balie.service and the end-to-end test).

Every value can be set in the service's environment file; the defaults suit a 2–4 core node.
Threads are safe: search engines, stemmers and caches are shared safely between threads.
"""

import os

bind = os.environ.get("BALIE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("BALIE_WORKERS", "4"))
threads = int(os.environ.get("BALIE_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("BALIE_WORKER_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced now and then, so a slow leak can never grow without bound.
max_requests = 5000
max_requests_jitter = 500
# Only nginx on this address may say the request came over HTTPS (the app reads the forwarded
# headers itself, through BALIE_PROXY_HOPS=1).
forwarded_allow_ips = os.environ.get("BALIE_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Access log without the query string (search words, advice codes); errors to standard error.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
