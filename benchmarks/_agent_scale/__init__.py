"""Helpers of ``benchmarks/agent_scale.py``: child processes, the workload, the exposition.

    children.py     start and stop the simulator and the agent; /proc CPU, threads, RSS
    workload.py     the generated config, direct probes, the in-process refresh estimate
    exposition.py   what the benchmark reads back from ``/metrics``
"""
