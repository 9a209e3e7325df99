"""The floor of the drain figures: the plainest HTTP server on the same uvicorn as shop-api, whose one route reads
the request body and answers `{}`. `python -m bench.noop_api` prints its URL on stdout, serves until stdin closes.
"""

from __future__ import annotations

import os
import sys
import threading

from fastapi import FastAPI, Request, Response

from backend.server import ApiServer, bind_socket

app = FastAPI()


@app.post("/noop")
async def noop(request: Request) -> Response:
    await request.body()
    return Response(b"{}", media_type="application/json")


def main() -> int:
    server = ApiServer(app, bind_socket("127.0.0.1", 0), on_ready=lambda url: print(url, flush=True))

    def stop_at_stdin_eof() -> None:
        while os.read(0, 65536):
            pass
        server.should_exit = True

    threading.Thread(target=stop_at_stdin_eof, daemon=True).start()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
