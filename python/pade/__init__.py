"""PADE-DSE from Python: evaluate designs, run campaigns, read result databases.

A thin layer over the C++ libraries (the compiled ``_pade`` module): every number comes from the
same code as the ``pade`` command line, and bad input raises :class:`InputError` (a
``ValueError``) with the message the command line prints.

    import pade
    rows = pade.evaluate("examples/hw-default.yaml", benchmarks="llama2-7b/mmlu")
    df = pade.load("out/default.db", front=True)          # the latest campaign's Pareto front
    pade.run("examples/campaign-grid.yaml", "sweep.db", threads=2)

An outside optimizer drives a :class:`Study` (evaluations land in the database like a campaign's).
"""

from . import _pade
from ._pade import InputError, RunError, __version__, git_commit

__all__ = [
    "InputError", "RunError", "Space", "Study", "campaigns", "catalog", "evaluate", "load",
    "run", "suite_metrics", "to_frame", "__version__", "git_commit",
]

DEFAULT_FIDELITY = _pade.DEFAULT_FIDELITY  # the library's default model (analytical)


def to_frame(rows):
    """A pandas DataFrame of a list of dicts (as evaluate(), load() and Study return them)."""
    import pandas as pd

    return pd.DataFrame(list(rows))


def evaluate(hw, benchmarks="llama2-7b/mmlu", fidelity=DEFAULT_FIDELITY, *, seed=1,
             workloads=None, db=None, threads=0, as_frame=False):
    """Evaluate one hardware configuration on benchmarks.

    hw: a dict of parameters (nested sections or dotted keys, e.g. ``{"qk_pu.lanes_per_row": 32}``;
    unset ones keep their defaults) or the path of a ``kind: hardware`` YAML file.
    benchmarks: a benchmark name, a suite name (``"pade22"``) or a list of either.
    fidelity: the hardware model (``pade.catalog()["fidelities"]``).
    db: a database whose statistics cache is used and filled (repeated calls get faster).
    Returns one dict per benchmark (its metrics, the fidelity and the configuration hash), or a
    DataFrame with ``as_frame=True``. :func:`suite_metrics` gives the suite aggregates.
    """
    rows = _pade._evaluate(hw, benchmarks, fidelity, seed, workloads,
                           None if db is None else str(db), threads)
    return to_frame(rows) if as_frame else rows


def suite_metrics(rows):
    """The suite objectives campaigns store, from per-benchmark rows: geometric-mean latency,
    total energy, largest area, power and accuracy loss."""
    if hasattr(rows, "to_dict"):
        rows = rows.to_dict("records")
    return _pade._suite_metrics(list(rows))


def load(db, campaign=None, fidelity=None, front=False, *, per_benchmark=False):
    """A campaign of a result database as a pandas DataFrame.

    One row per design (its suite metrics, feasibility, Pareto rank and every configuration
    parameter — text parameters such as ``algorithm.tile_order`` stay text), or one row per
    (design, benchmark) with every metric when ``per_benchmark=True``.
    campaign: its name; None = the latest campaign. fidelity: None = the campaign's front
    fidelity (the last rung of its ladder), so a screened-then-refined design appears once.
    front: only the suite Pareto front.
    """
    rows = _pade._load(str(db), campaign or "", fidelity or "", bool(front), bool(per_benchmark))
    frame = to_frame(rows)
    if "pareto_rank" in frame:
        frame["pareto_rank"] = frame["pareto_rank"].astype("Int64")
    return frame


def campaigns(db):
    """The campaigns of a database (id, name, strategy, status, times, points) as a DataFrame."""
    return to_frame(_pade._campaigns(str(db)))


def run(campaign=None, db=None, *, threads=-1, resume=False, progress=None):
    """Run a campaign (a YAML path, a dict with a campaign file's keys, or None for the default
    campaign) into a database, exactly as ``pade run``. progress: called with a dict after each
    batch. Ctrl-C stops after the batch in flight (stored; continue with resume=True) and raises
    KeyboardInterrupt. Returns the run's summary."""
    return _pade._run(campaign, None if db is None else str(db), threads, resume, progress)


def catalog(workloads=None):
    """Benchmarks (with model, task, phase, length, trace), suites, models, fidelities and
    strategies known to this build; workloads adds model/suite files or folders."""
    return _pade._catalog(workloads)


class Space:
    """A design space: ``dimensions`` maps parameter keys to levels exactly like a campaign's
    ``space:`` (a list, or ``{"from": …, "to": …, "step"|"factor"|"steps": …}``); ``derived``
    like ``derived:``; ``base`` the hardware every point starts from (dict or path)."""

    def __init__(self, dimensions, derived=None, base=None):
        self.spec = dict(dimensions)
        self.derived = dict(derived) if derived else {}
        self.base = base
        self._impl = _pade._Space(self.spec, self.derived or None, base)

    @classmethod
    def _of(cls, impl):
        space = cls.__new__(cls)
        space.spec, space.derived, space.base, space._impl = None, {}, None, impl
        return space

    @property
    def dimensions(self):
        """Parameter key → its levels (expanded)."""
        return self._impl.dimensions

    @property
    def sizes(self):
        return self._impl.sizes

    @property
    def cardinality(self):
        return self._impl.cardinality

    def levels_of(self, params):
        """Level indices of the swept values in ``params``."""
        return self._impl.levels_of(params)

    def config(self, params):
        """Every parameter of a point (given by swept values or level indices) and its hash."""
        levels = self.levels_of(params) if isinstance(params, dict) else list(params)
        return self._impl.config(levels)

    def __repr__(self):
        return f"pade.Space({self.dimensions!r})"


class Study:
    """A campaign driven from Python, stored in ``db`` as a campaign like any other.

    Give a campaign (YAML path or dict with a campaign file's keys) or the keys as keyword
    arguments: ``Study(db, name="mine", space=pade.Space({...}) or {...}, suite="pade22",
    objectives=["latency", "energy"], fidelity="analytical", strategy="random", budget=20)``.

    * ``ask(n)`` / ``tell(trials)``: candidates of the campaign's own strategy, then evaluated,
      stored and told to it.
    * ``evaluate(params)``: a design of an outside optimizer (swept values, a dict or a list of
      dicts); evaluated and stored. Each result has ``objectives`` in the study's objective order
      (None when a constraint rejects the design), ``feasible``, ``reason`` and the suite metrics.
    * ``finish()``: ranks the Pareto fronts and marks the campaign finished (also on leaving a
      ``with`` block). ``frame()`` loads the study's designs.
    """

    def __init__(self, db, campaign=None, *, resume=False, threads=-1, **keys):
        if campaign is None:
            campaign = _campaign_dict(**keys)
        elif keys:
            raise InputError("error: Study: give a campaign or its keys, not both")
        self._impl = _pade._Study(campaign, str(db), resume, threads)

    name = property(lambda self: self._impl.name)
    db = property(lambda self: self._impl.db)
    objectives = property(lambda self: self._impl.objectives)
    benchmarks = property(lambda self: self._impl.benchmarks)
    finished = property(lambda self: self._impl.finished)

    @property
    def space(self):
        return Space._of(self._impl.space)

    def ask(self, n=1):
        return self._impl.ask(n)

    def tell(self, trials):
        single = isinstance(trials, dict)
        results = self._impl.tell([trials] if single else list(trials))
        return results[0] if single else results

    def evaluate(self, params, fidelity=None):
        single = isinstance(params, dict)
        results = self._impl.evaluate([params] if single else list(params), fidelity or "")
        return results[0] if single else results

    def finish(self):
        return self._impl.finish()

    def frame(self, **kwargs):
        return load(self.db, campaign=self.name, **kwargs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if not self.finished:
            self.finish()
        return False


def _campaign_dict(name, space, derived=None, hardware=None, suite=None, benchmarks=None,
                   objectives=("latency", "energy"), constraints=None, fidelity=None,
                   strategy="random", budget=None, seed=1, **other):
    """The keys of a campaign file from Study's keyword arguments."""
    c = {"kind": "campaign", "name": name, "seed": seed, "strategy": strategy,
         "objectives": list(objectives)}
    if isinstance(space, Space):
        derived = derived or space.derived or None
        hardware = hardware if hardware is not None else space.base
        space = space.spec
    c["space"] = dict(space)
    if derived:
        c["derived"] = dict(derived)
    if isinstance(hardware, dict):
        c["hardware"] = hardware
    elif hardware is not None:  # a hardware YAML file
        c["hardware_file"] = str(hardware)
    if benchmarks is not None:
        c["benchmarks"] = [benchmarks] if isinstance(benchmarks, str) else list(benchmarks)
    if suite is not None:
        c["suite"] = suite
    if constraints:
        c["constraints"] = dict(constraints)
    if fidelity is not None:
        c["fidelity"] = fidelity
    if budget is not None:
        c["budget"] = {"evaluations": int(budget)} if isinstance(budget, int) else dict(budget)
    c.update(other)
    return c
