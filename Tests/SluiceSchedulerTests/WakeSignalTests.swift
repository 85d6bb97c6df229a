import Testing

@testable import SluiceScheduler

/// The scheduler's sleep: until a deadline, or until signaled — never losing a signal.
@Suite("WakeSignal")
struct WakeSignalTests {
    @Test("a signal sent while nobody waits is kept: the next wait returns at once", .timeLimit(.minutes(1)))
    func pendingSignal() async {
        let signal = WakeSignal()
        signal.signal()
        let started = ContinuousClock.now
        await signal.wait(upTo: .seconds(3600))
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("without a signal, a wait lasts its timeout")
    func timeout() async {
        let signal = WakeSignal()
        let started = ContinuousClock.now
        await signal.wait(upTo: .milliseconds(300))
        #expect(ContinuousClock.now - started >= .milliseconds(300))
    }

    // The wait's timeout is an hour, so only the signal can end it: the test finishing within its
    // time limit is the proof. (A 30-s timeout measured against 10 s of wall clock failed twice under
    // make test's load, when the cooperative pool was busy for over 10 s.)
    @Test("a signal during a wait ends it early", .timeLimit(.minutes(1)))
    func signalDuringWait() async {
        let signal = WakeSignal()
        let started = ContinuousClock.now
        async let waited: Void = signal.wait(upTo: .seconds(3600))
        try? await Task.sleep(for: .milliseconds(100))
        signal.signal()
        await waited
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("several signals before a wait wake it once; the wait after that sleeps its timeout", .timeLimit(.minutes(1)))
    func signalsCoalesce() async {
        let signal = WakeSignal()
        signal.signal()
        signal.signal()
        await signal.wait(upTo: .seconds(3600))
        let started = ContinuousClock.now
        await signal.wait(upTo: .milliseconds(300))
        #expect(ContinuousClock.now - started >= .milliseconds(300))
    }
}
