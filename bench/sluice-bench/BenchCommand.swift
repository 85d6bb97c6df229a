import ArgumentParser

/// `sluice-bench`: measures Sluice against a private redis-server and prints the figures.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-bench",
        abstract:
            "Sluice benchmarks: job throughput, spawn baseline, round trips per job, flows, approvals, loops, schedules, peers, expressions, triggers.",
        subcommands: [
            ThroughputBenchmark.self, SpawnBaseline.self, FlowBenchmark.self, ApprovalBenchmark.self, LoopBenchmark.self, ClusterBenchmark.self,
            ScheduleBenchmark.self, PeerBenchmark.self, ExpressionBenchmark.self, TriggerBenchmark.self,
            AckBenchmark.self, ConsoleBenchmark.self,
        ]
    )
}
