"""Answer Slack the moment a listener acks.

Bolt (1.x) runs each listener in its executor and then polls `ack.response` every 10 ms
(`time.sleep(0.01)` in `ThreadListenerRunner.run`) until the listener has acked. Every
ack therefore reaches Slack up to 10 ms later than it could, and on a busy machine a
few polls later. `WakeOnAckListenerRunner` is Bolt's runner with that one loop replaced
by an Event which the ack (or the listener's end) sets. The rest is Bolt's: events'
automatic ack, lazy listeners and `process_before_response` go through the parent
unchanged, and errors are handled as Bolt handles them.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from slack_bolt import Ack, App, BoltRequest, BoltResponse
from slack_bolt.listener import Listener
from slack_bolt.listener.thread_runner import ThreadListenerRunner
from slack_bolt.logger.messages import warning_did_not_call_ack


class SignallingAck(Ack):
    """Bolt's Ack that also wakes the request thread waiting for it."""

    def __init__(self, acked: threading.Event) -> None:
        super().__init__()
        self.acked = acked

    def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        try:
            return super().__call__(*args, **kwargs)
        finally:
            self.acked.set()


class WakeOnAckListenerRunner(ThreadListenerRunner):
    def run(
        self,
        request: BoltRequest,
        response: BoltResponse,
        listener_name: str,
        listener: Listener,
        starting_time: float | None = None,
    ) -> BoltResponse | None:
        if (
            self.process_before_response
            or listener.auto_acknowledgement  # acked before the listener starts: no wait
            or listener.lazy_functions
            or request.lazy_only
        ):
            return super().run(request, response, listener_name, listener, starting_time)
        starting_time = starting_time if starting_time is not None else time.time()
        answered = threading.Event()
        ack = SignallingAck(answered)
        request.context["ack"] = ack  # before the listener's arguments are built from it

        def run_listener() -> None:
            try:
                self.listener_start_handler.handle(request=request, response=response)
                listener.run_ack_function(request=request, response=response)
            except Exception as error:
                # As Bolt: a 500 unless the listener had already acked.
                failed = response if response is not None else BoltResponse(status=500)
                failed.status = 500
                already_acked = ack.response is not None
                self.listener_error_handler.handle(
                    error=error, request=request, response=None if already_acked else failed
                )
                if not already_acked:
                    ack.response = failed
            finally:
                self.listener_completion_handler.handle(request=request, response=response)
                answered.set()  # a listener that ends without acking stops the wait too

        self.listener_executor.submit(run_listener)
        answered.wait(max(0.0, listener.ack_timeout - (time.time() - starting_time)))
        if response is not None:
            return response
        if ack.response is None:
            self.logger.warning(warning_did_not_call_ack(listener_name))
            return None
        self._debug_log_completion(starting_time, ack.response)
        return ack.response


def wake_on_ack(app: App) -> None:
    """Give `app` the runner above; call it right after creating the App, before any
    `app.error(...)` replaces the error handler on the runner."""
    bolt = app.listener_runner
    app._listener_runner = WakeOnAckListenerRunner(  # noqa: SLF001 - no public setter
        logger=bolt.logger,
        process_before_response=bolt.process_before_response,
        listener_error_handler=bolt.listener_error_handler,
        listener_start_handler=bolt.listener_start_handler,
        listener_completion_handler=bolt.listener_completion_handler,
        listener_executor=bolt.listener_executor,
        lazy_listener_runner=bolt.lazy_listener_runner,
    )
