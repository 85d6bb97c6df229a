import Testing

@testable import SluiceScheduler

/// The scheduler's sleep: until a deadline, or until signaled — never losing a signal.
@Suite("WakeSignal")
struct WakeSignalTests {
    @Test("a signal sent while nobody waits is kept: the next wait returns at once")
    func pendingSignal() async {
        let signal = WakeSignal()
        signal.signal()
        let started = ContinuousClock.now
        await signal.wait(upTo: .seconds(30))
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("without a signal, a wait lasts its timeout")
    func timeout() async {
        let signal = WakeSignal()
        let started = ContinuousClock.now
        await signal.wait(upTo: .milliseconds(300))
        #expect(ContinuousClock.now - started >= .milliseconds(300))
    }

    @Test("a signal during a wait ends it early")
    func signalDuringWait() async {
        let signal = WakeSignal()
        let started = ContinuousClock.now
        async let waited: Void = signal.wait(upTo: .seconds(30))
        try? await Task.sleep(for: .milliseconds(100))
        signal.signal()
        await waited
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("several signals before a wait wake it once; the wait after that sleeps its timeout")
    func signalsCoalesce() async {
        let signal = WakeSignal()
        signal.signal()
        signal.signal()
        await signal.wait(upTo: .seconds(30))
        let started = ContinuousClock.now
        await signal.wait(upTo: .milliseconds(300))
        #expect(ContinuousClock.now - started >= .milliseconds(300))
    }
}
