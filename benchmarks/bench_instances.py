"""One and two instances of our bot on PostgreSQL, in webhook mode, against the echo bot.

    python -m benchmarks.bench_instances [--people 100] [--messages 10] [--rounds 2]

Every bot is a real process served by webhook; the Bot API test double pushes each update and
spreads them round-robin over the instances (a load balancer). Each simulated person sends a
message, waits for its answer, and sends the next (bench_bot's script). Reported for each:
updates per second, p95 latency, anything lost, and where the CPU time of the traffic went (the
bot processes after their start-up, the PostgreSQL server, the test double and the people in
this process), with ratios against the echo bot measured in the same run. A throwaway
PostgreSQL server is started here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.bench_bot import ROOT, _cpu, people_talk, start_process
from tests.postgres import Cluster, free_port, throwaway
from tests.telegram_double import TelegramDouble

SECRET = "benchmark-webhook-secret-0123"
PATH = "/telegram/hook"


@dataclass
class Run:
    name: str
    updates: int
    seconds: float
    latencies: list[float]
    lost: int
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    @property
    def p95(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]

    def line(self) -> str:
        cpu = ", ".join(f"{k} {v * 1000 / self.updates:.2f}" for k, v in self.cpu.items())
        return (
            f"{self.name}: {self.per_second:.0f} updates/s, p95 {self.p95 * 1000:.0f} ms, "
            f"lost {self.lost}; CPU ms per update: {cpu}"
        )


def server_cpu(cluster: Cluster | None) -> float:
    """CPU seconds of every PostgreSQL process of the cluster so far (Linux)."""
    if cluster is None:
        return 0.0
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if (command.startswith(b"postgres") and str(cluster.port).encode() in command) or (
            b"postgres:" in command and _child_of_cluster(entry, cluster)
        ):
            total += _cpu(int(entry.name))
    return total


def _child_of_cluster(entry: Path, cluster: Cluster) -> bool:
    try:
        fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        parent = Path(f"/proc/{fields[1]}/cmdline").read_bytes()
    except OSError:
        return False
    return str(cluster.port).encode() in parent


async def measure(
    name: str, command: list[str], envs: list[dict[str, str]], cluster: Cluster | None, **load: int
) -> Run:
    double = TelegramDouble(webhook_retry_unit=0.05)
    url = await double.start()
    ports = [int(env["WEBHOOK_PORT"]) for env in envs]
    double.webhook_targets = [f"http://127.0.0.1:{port}" for port in ports]
    common = {"TELEGRAM_API_URL": url, "BOT_TOKEN": double.token, "WEBHOOK_SECRET": SECRET}
    hook = f"http://127.0.0.1:{ports[0]}{PATH}"
    processes = [
        await start_process(command, {**common, "WEBHOOK_URL": hook, **env}) for env in envs
    ]
    try:
        await double.wait_for(
            lambda: len(double.calls_to("setWebhook")) >= len(processes), timeout=90
        )
        await asyncio.sleep(1.0)  # start-up settles (the webhook is set before the last steps)
        cpu_before = server_cpu(cluster)
        bots_before = sum(_cpu(p.pid) for p in processes)
        double_before = time.process_time()
        seconds, latencies, lost = await people_talk(
            double, load["people"], load["messages"], first_id=20_000, patience=60
        )
        run = Run(name, load["people"] * load["messages"], seconds, latencies, lost)
        run.cpu = {
            "bots": sum(_cpu(p.pid) for p in processes) - bots_before,
            "postgres": server_cpu(cluster) - cpu_before,
            "double and people": time.process_time() - double_before,
        }
        return run
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            await process.wait()
        await double.stop()


def ours(database: str, port: int) -> dict[str, str]:
    return {
        "DATABASE_URL": database,
        "CONTENT_DIR": str(ROOT / "content"),
        "PSEUDONYM_KEY": "benchmark",
        "LOG_LEVEL": "WARNING",
        "TELEGRAM_PACING": "false",
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }


async def one_round(cluster: Cluster, round_: int, **load: int) -> list[Run]:
    echo = await measure(
        "echo bot (webhook)",
        ["-m", "benchmarks.echo_bot"],
        [{"WEBHOOK_PORT": str(free_port())}],
        None,
        **load,
    )
    one_db = cluster.create_database(f"one_{round_}")
    one = await measure(
        "ours, 1 instance", ["-m", "bot", "run"], [ours(one_db, free_port())], cluster, **load
    )
    two_db = cluster.create_database(f"two_{round_}")
    two = await measure(
        "ours, 2 instances",
        ["-m", "bot", "run"],
        [ours(two_db, free_port()), ours(two_db, free_port())],
        cluster,
        **load,
    )
    return [echo, one, two]


async def main(people: int, messages: int, rounds: int) -> int:
    runs: list[list[Run]] = []
    with throwaway() as cluster:
        for round_ in range(rounds):
            found = await one_round(cluster, round_, people=people, messages=messages)
            for run in found:
                print(f"round {round_ + 1}: {run.line()}", flush=True)
            runs.append(found)
    echo, one, two = (statistics.median(r[i].per_second for r in runs) for i in range(3))
    p95 = [statistics.median(r[i].p95 for r in runs) for i in range(3)]
    lost = sum(r[1].lost + r[2].lost for r in runs)
    print(
        f"medians of {rounds} rounds on {os.cpu_count()} CPUs: 1 instance {one / echo:.2f}x the "
        f"echo bot's updates/s (p95 {p95[1] / p95[0]:.2f}x), 2 instances {two / echo:.2f}x "
        f"(p95 {p95[2] / p95[0]:.2f}x), 2 vs 1 instance {two / one:.2f}x; lost {lost}"
    )
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    sys.exit(asyncio.run(main(options.people, options.messages, options.rounds)))
