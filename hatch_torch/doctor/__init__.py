"""``hatch-torch doctor``: what does not fit in an installed environment.

``environment`` reads an interpreter's installed distributions (its own ``importlib.metadata``, run as a
subprocess: torch is never imported); ``family`` checks the torch family, the ``nvidia-*`` runtimes and
conflicting packages against the release and family data; ``machine`` checks the torch build against what
detection finds on this machine; ``report`` puts the findings together; ``cli`` declares the command.

Layer 6: imports :mod:`hatch_torch.detection`, :mod:`hatch_torch.pins`, :mod:`hatch_torch.data`,
:mod:`hatch_torch.plugins` and :mod:`hatch_torch.util`; never uv/ or publish/.
"""
