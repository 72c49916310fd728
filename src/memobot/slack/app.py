"""Build the Bolt app: one Web API client, one place that registers listeners, nothing else.

``build_app`` is what ``memobot serve`` and the tests call; the transport (Socket Mode or the
HTTP server in :mod:`memobot.slack.server`) is chosen afterwards.
"""

from __future__ import annotations

import logging
import random
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from slack_bolt import App, BoltResponse
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RetryHandler, RetryState
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.webhook import WebhookClient, WebhookResponse

from ..questionlog import QuestionLog
from ..service import KnowledgeService
from ..store import Store, open_store
from .pacing import ChannelPacer
from .settings import SlackSettings
from .threads import Conversations

__all__ = ["Bot", "RateLimitRetry", "RetryingRespond", "bot_of", "build_app", "build_client", "retry_after"]

log = logging.getLogger(__name__)

_ACK_THREADS = 8
"""Bolt's listener threads: they only ack and hand work to the answer threads."""

_MAX_RETRY_AFTER = 30.0
"""Longest Retry-After we wait for inside a listener; longer waits give up and are logged."""


class RateLimitRetry(RetryHandler):
    """Retry a 429 after exactly its ``Retry-After`` seconds (plus a little jitter).

    slack_sdk's ``RateLimitErrorRetryHandler`` always adds up to a second on top, which makes
    a ``Retry-After: 0`` wait about half a second for nothing.
    """

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        return retry_after(response.headers) <= _MAX_RETRY_AFTER

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        wait = retry_after(response.headers) if response is not None else 1.0
        # Jitter spreads out the threads that were all told to wait the same time.
        time.sleep(wait + random.uniform(0, min(0.25, wait * 0.1 + 0.01)))
        state.next_attempt_requested = True
        state.increment_current_attempt()


def retry_after(headers: object) -> float:
    """Seconds Slack asked us to wait (``Retry-After``), 1 when it did not say."""
    items = headers.items() if isinstance(headers, dict) else ()
    for name, values in items:
        if name.lower() == "retry-after":
            value = values[0] if isinstance(values, list) and values else values
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return 1.0
    return 1.0


def _retry_handlers() -> list[RetryHandler]:
    return [ConnectionErrorRetryHandler(max_retry_count=1), RateLimitRetry(max_retry_count=3)]


class RetryingRespond(Respond):
    """Bolt's ``respond()`` whose ``response_url`` posts are retried on 429 and broken connections.

    Bolt's own builds a ``WebhookClient`` with only the connection-error handler, so a
    rate-limited reply to ``/memo`` or to a button was lost.
    """

    def __call__(self, text: str | dict = "", **fields: object) -> WebhookResponse:  # type: ignore[override]
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        message = dict(text) if isinstance(text, dict) else {"text": text, **fields}
        body = {k: v for k, v in message.items() if v is not None}
        client = WebhookClient(url=self.response_url, timeout=15, retry_handlers=_retry_handlers())
        return client.send_dict(body)


class _QuietClientWarning(logging.Filter):
    """Drops Bolt's warning that SLACK_BOT_TOKEN in the environment is unused: we pass our own
    client on purpose (it carries SLACK_API_URL and the retry handlers) and it has the token.
    Cuts its "Unhandled request" warning to its first line (Bolt adds a code sample, ten lines
    per request that no listener takes)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith("Unhandled request"):
            record.msg, record.args = message.split("\n", 1)[0], None
        return not message.startswith("As you gave `client` as well")


_BOTS: weakref.WeakKeyDictionary[App, Bot] = weakref.WeakKeyDictionary()


def bot_of(app: App) -> Bot | None:
    """The memobot state behind an app that ``build_app`` built."""
    return _BOTS.get(app)


_BOLT_LOG = logging.getLogger("memobot.slack.bolt")
_BOLT_LOG.addFilter(_QuietClientWarning())


def _one_line_error(error: Exception, body: dict) -> BoltResponse:
    """Bolt's handler for what a middleware or listener raised: one log line, HTTP 400.

    The request was signed by then, so what raises is a payload of an unexpected shape (an
    ``action_id`` that is a number, …); Bolt's default writes a traceback per request. The
    traceback stays available at DEBUG for a real bug.
    """
    kind = body.get("type") if isinstance(body, dict) else None
    log.error(
        "could not handle a %s request: %s: %s",
        kind if isinstance(kind, str) else "Slack",
        type(error).__name__,
        str(error)[:200],
    )
    log.debug("the error in full", exc_info=error)
    return BoltResponse(status=400, body="")


def build_client(settings: SlackSettings) -> WebClient:
    """The Web API client: Slack's (or ``SLACK_API_URL``'s) base URL, 429s and broken
    connections retried."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=15,
        retry_handlers=_retry_handlers(),
    )


@dataclass(frozen=True)
class Bot:
    """What every listener needs, built once per app."""

    service: KnowledgeService
    """The live knowledge base."""
    settings: SlackSettings
    """Validated settings."""
    store: Store
    """Shared state (claims, votes, the question log): SQLite, or Redis for replicas."""
    log: QuestionLog
    """The question log and the 👍 / 👎 votes, privacy rules applied."""
    answers: ThreadPoolExecutor
    """Where retrieval and posting run, apart from Bolt's listener threads."""
    conversations: Conversations = field(default_factory=Conversations)
    """Threads the bot is in, what they are about, and where each question was answered."""
    pacer: ChannelPacer = field(default_factory=ChannelPacer)
    """Posting slots per channel."""
    owns_store: bool = False
    """Whether ``build_app`` opened the store (and stopping the app closes it)."""

    def claim(self, key: str, ttl: float, *, attempt: int | None = None, owner: str = "") -> bool:
        """Whether this process (of all replicas) is the first to handle ``key``; with
        ``attempt``, a lease a later delivery attempt may take over until :meth:`keep`
        (:meth:`memobot.store.Store.claim`).

        When the store cannot be reached the answer is True: a duplicate reply is better than
        none, and the log says why."""
        try:
            return self.store.claim(key, ttl, attempt=attempt, owner=owner)
        except Exception as exc:
            log.error("store unreachable (%s): handling %s without de-duplication", type(exc).__name__, key)
            return True

    def keep(self, key: str, ttl: float, *, owner: str | None = None) -> bool:
        """Hold a claimed ``key`` for ``ttl`` seconds more, as done; with ``owner``, only while
        no redelivery took it over (False: leave the reply to that one). When the store cannot
        be reached: True (a failure only shortens the hold)."""
        try:
            return self.store.keep(key, ttl, owner=owner)
        except Exception as exc:
            log.error("store unreachable (%s): could not hold %s", type(exc).__name__, key)
            return True

    def later(self, work: Callable[[], None], what: str) -> None:
        """Run ``work`` on an answer thread; the listener returns at once.

        Bolt runs a command's or a button's listener on its own threads and waits up to 3 s
        for the ``ack()`` inside it. Were answers computed on those threads, a burst of slow
        ones would leave no thread to ack the next ``/memo`` (Slack then shows an error), so
        listeners only ack and hand the work over here.
        """

        def run() -> None:
            try:
                work()
            except Exception:
                log.exception("%s failed", what)

        try:
            self.answers.submit(run)
        except RuntimeError:  # shutting down: the answer is dropped, as queued ones are
            log.warning("not answering (%s): memobot is stopping", what)


def build_app(
    settings: SlackSettings,
    service: KnowledgeService,
    *,
    client: WebClient | None = None,
    executor: ThreadPoolExecutor | None = None,
    store: Store | None = None,
) -> App:
    """The Bolt app with every memobot listener registered.

    Calls ``auth.test`` once (Bolt needs the bot's own ids to ignore its own messages). The
    app acks as soon as a listener calls ``ack()`` (``process_before_response=False``):
    retrieval and posting run afterwards on ``executor``'s threads (``MEMOBOT_WORKERS`` of
    them), never on the threads Bolt acks from. ``store`` defaults to the one
    ``settings.store`` names (opened here; :func:`~memobot.slack.server.stop_answering` closes it).
    """
    from .listeners import register

    client = client if client is not None else build_client(settings)
    app = App(
        client=client,
        signing_secret=settings.signing_secret or "",
        # Socket Mode requests arrive over an authenticated websocket and carry no signature.
        request_verification_enabled=settings.signing_secret is not None,
        process_before_response=False,
        # Listeners only ack and hand over (Bot.later), so a few threads keep up with any burst.
        listener_executor=ThreadPoolExecutor(max_workers=_ACK_THREADS, thread_name_prefix="memobot-ack"),
        logger=_BOLT_LOG,
    )
    app.error(_one_line_error)
    answers = executor or ThreadPoolExecutor(
        max_workers=settings.workers, thread_name_prefix="memobot-answer"
    )
    owns_store = store is None
    store = store if store is not None else open_store(settings.store)
    bot = Bot(
        service=service,
        settings=settings,
        store=store,
        log=QuestionLog(store, settings.store),
        answers=answers,
        owns_store=owns_store,
        pacer=ChannelPacer(interval=settings.channel_pace, store=store),
    )
    _BOTS[app] = bot
    register(app, bot)
    return app
