"""A client of ``mobo serve``: ask/tell from Python over HTTP/JSON.

One file, standard library only (urllib, json), Python 3.9 or newer. Copy it next to your workflow
code or put ``clients/python`` on ``PYTHONPATH``::

    from mobo_client import Client

    client = Client("http://127.0.0.1:8787", token=None)  # token: see `mobo serve --new-token`
    exp = client.experiment("drich")
    for trial in exp.ask(4):
        values = simulate(**trial["params"])               # {"separation": 3.4, "cost": 7.1}
        exp.tell(trial["id"], values)
    print(exp.front())

Errors the server answers with (a 4xx naming the field, e.g. ``values.cost``) raise ``MoboError``;
a server that cannot be reached raises ``MoboUnavailable`` (a subclass), which is worth a retry.
"""

from __future__ import annotations

import http.client
import json
import math
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

try:  # Python 3.9 has TypedDict in typing
    from typing import TypedDict
except ImportError:  # pragma: no cover
    TypedDict = dict  # type: ignore[misc,assignment]

__all__ = ["Client", "Experiment", "MoboError", "MoboUnavailable", "AskedTrial"]

ParamValue = Union[str, int, float, bool]


class AskedTrial(TypedDict):
    """A trial to evaluate: its id (for tell/fail/abandon) and its parameters by name."""

    id: int
    params: Dict[str, ParamValue]


class MoboError(Exception):
    """An error answer of the server: HTTP status, code (e.g. ``trial_finished``), message and,
    for bad input, the issues by JSON path (``[{"path": "values.cost", "message": ...}]``)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        issues: Optional[List[Dict[str, str]]] = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.issues: List[Dict[str, str]] = issues or []


class MoboUnavailable(MoboError):
    """The server could not be reached (refused, reset, timed out): retry later."""

    def __init__(self, message: str, status: int = 0, code: str = "unavailable") -> None:
        super().__init__(status, code, message)


class Client:
    """The experiments of one ``mobo serve``.

    ``url`` is the server's base URL (``http://127.0.0.1:8787``); ``token`` a bearer token when
    the server has tokens; ``timeout`` seconds per request (an ask of a model strategy can take a
    while: keep it generous).
    """

    def __init__(self, url: str, token: Optional[str] = None, timeout: float = 300.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def experiment(self, name: str) -> "Experiment":
        """A handle on experiment ``name`` (no request is made)."""
        return Experiment(self, name)

    def experiments(self) -> List[Dict[str, Any]]:
        """Every experiment of the server: a summary each, or ``{"name", "error"}``."""
        return self.request("GET", "/api/experiments")["experiments"]

    def create(self, name: str, config: Mapping[str, Any]) -> "Experiment":
        """Creates experiment ``name`` from ``config`` (``parameters``, ``objectives``, optional
        ``parameterConstraints``, ``outcomeConstraints``, ``strategy``, ``seed``: the
        configuration of ``Optimizer.create``)."""
        self.request("POST", "/api/experiments", {"name": name, "config": dict(config)})
        return Experiment(self, name)

    def request(self, method: str, path: str, body: Optional[Any] = None) -> Any:
        """Sends one request; returns the parsed JSON answer (or the text of a non-JSON one)."""
        data = None
        headers = {"Accept": "application/json"}
        if body is not None:
            # allow_nan=False: NaN and infinity are not JSON; fail the trial instead.
            data = json.dumps(body, allow_nan=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read().decode("utf-8")
                kind = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            raise _error_from(error) from None
        except (urllib.error.URLError, ConnectionError, socket.timeout, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            raise MoboUnavailable(f"{method} {self.url}{path}: {reason}") from None
        return json.loads(text) if "json" in kind else text


class Experiment:
    """One experiment of a server: ask, tell, fail, abandon, and read its trials and front."""

    def __init__(self, client: Client, name: str) -> None:
        self.client = client
        self.name = name
        self._base = f"/api/experiments/{urllib.parse.quote(name, safe='')}"

    def ask(self, n: int = 1) -> List[AskedTrial]:
        """Asks for ``n`` new trials (running at once). Every trial asked and not yet told,
        failed or abandoned is pending: no ask proposes its point again."""
        return self.client.request("POST", f"{self._base}/trials", {"n": n})["trials"]

    def tell(
        self,
        trial_id: int,
        values: Mapping[str, float],
        sem: Optional[Mapping[str, float]] = None,
    ) -> Dict[str, Any]:
        """Records the values of a running trial: every objective and outcome-constraint metric,
        finite (a ``ValueError`` for NaN or infinity: fail the trial instead). Returns the trial."""
        for key, value in values.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                raise ValueError(f"tell(trial {trial_id}): {key} = {value!r} is not a finite number; fail the trial")
        body: Dict[str, Any] = {"values": {k: float(v) for k, v in values.items()}}
        if sem is not None:
            body["sem"] = {k: float(v) for k, v in sem.items()}
        return self.client.request("POST", f"{self._base}/trials/{int(trial_id)}/tell", body)["trial"]

    def fail(self, trial_id: int, reason: str) -> Dict[str, Any]:
        """Marks a running trial failed, with the reason kept in the journal."""
        return self.client.request("POST", f"{self._base}/trials/{int(trial_id)}/fail", {"reason": reason})["trial"]

    def abandon(self, trial_id: int, reason: Optional[str] = None) -> Dict[str, Any]:
        """Gives a trial up: its point is never proposed again."""
        body = {} if reason is None else {"reason": reason}
        return self.client.request("POST", f"{self._base}/trials/{int(trial_id)}/abandon", body)["trial"]

    def trials(self, state: Union[None, str, Sequence[str]] = None) -> List[Dict[str, Any]]:
        """The trials in id order, or those in the given state(s) (``"running"``, ``["failed", ...]``)."""
        query = ""
        if state is not None:
            states = [state] if isinstance(state, str) else list(state)
            query = "?" + urllib.parse.urlencode([("state", s) for s in states])
        return self.client.request("GET", f"{self._base}/trials{query}")["trials"]

    def trial(self, trial_id: int) -> Dict[str, Any]:
        """One trial."""
        return self.client.request("GET", f"{self._base}/trials/{int(trial_id)}")["trial"]

    def front(self) -> List[Dict[str, Any]]:
        """The Pareto front: the feasible completed trials that no other dominates, by id."""
        return self.client.request("GET", f"{self._base}/front")["trials"]

    def hypervolume(self) -> List[float]:
        """The hypervolume after each completed trial, in the order values arrived."""
        history = self.client.request("GET", f"{self._base}/hypervolume")["history"]
        return [h["hypervolume"] for h in history]

    def status(self) -> Dict[str, Any]:
        """The experiment's summary: parameters, objectives, trials by state, front size, hypervolume."""
        return self.client.request("GET", self._base)


def _error_from(error: urllib.error.HTTPError) -> MoboError:
    try:
        body = json.loads(error.read().decode("utf-8"))["error"]
        status, code, message = int(body["status"]), str(body["code"]), str(body["message"])
    except Exception:  # not one of the server's JSON errors (a proxy's page, say)
        status, code, message, body = error.code, "http_error", str(error.reason), {}
    if status == 503:  # shutting down: worth a retry, like a refused connection
        return MoboUnavailable(message, status, code)
    return MoboError(status, code, message, body.get("issues"))
