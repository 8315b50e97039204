#!/usr/bin/python3
"""A WebSocket echo server on python3-websockets (10.x, legacy server
API) with faults chosen by the handshake's path (faultsrv.fault_of):

  echo       the handshake (101), then every message echoed
  status/NNN the handshake refused with NNN and the app's own body
             (?json: JSON): "handshake rejected"
  sleep?s=N  no answer to the handshake for N seconds
  die        RST before any answer to the handshake
  drop       101, the first message echoed, then RST mid-tunnel
  stall      101, then silence (messages are read, never answered)
"""

import asyncio
import http
import socket
import struct

import websockets.server

import faultsrv


def abort(transport):
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
    transport.abort()


class Protocol(websockets.server.WebSocketServerProtocol):
    async def process_request(self, path, request_headers):
        fault, seconds, as_json = faultsrv.fault_of(path)
        if fault == "sleep":
            await asyncio.sleep(seconds)
        elif fault == "die":
            abort(self.transport)
            await asyncio.sleep(faultsrv.MAX_S)
        elif fault.startswith("status/"):
            body, ctype = faultsrv.app_error_body(int(fault[7:]), as_json)
            return (http.HTTPStatus(int(fault[7:])),
                    [("Content-Type", ctype)], body)
        return None


async def handler(ws, path):
    fault = faultsrv.fault_of(path)[0]
    async for msg in ws:
        if fault == "stall":
            continue
        await ws.send(msg)
        if fault == "drop":
            await asyncio.sleep(0.2)
            abort(ws.transport)
            return


async def main(address):
    sock = faultsrv.listening_socket(address)
    async with websockets.server.serve(handler, sock=sock,
                                       create_protocol=Protocol,
                                       ping_interval=None):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(faultsrv.parse_args(__doc__).listen))
