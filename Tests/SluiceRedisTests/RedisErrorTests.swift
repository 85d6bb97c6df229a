import SluiceRedis
import Testing

@Suite("Redis errors: which ones a retry may outlast")
struct RedisErrorTests {
    @Test("LOADING, BUSY, TRYAGAIN, CLUSTERDOWN and MASTERDOWN are temporary refusals, after a script's name too; other errors are not")
    func temporaryRefusals() {
        #expect(RedisError.server("LOADING Redis is loading the dataset in memory").isTemporaryRefusal)
        #expect(RedisError.server("complete_job: LOADING Redis is loading the dataset in memory").isTemporaryRefusal)
        #expect(RedisError.server("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.").isTemporaryRefusal)
        #expect(RedisError.server("TRYAGAIN Multiple keys request during rehashing of slot").isTemporaryRefusal)
        #expect(RedisError.server("CLUSTERDOWN The cluster is down").isTemporaryRefusal)
        #expect(RedisError.server("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.").isTemporaryRefusal)
        #expect(!RedisError.server("ERR wrong number of arguments for 'get' command").isTemporaryRefusal)
        #expect(!RedisError.server("complete_job: job not held").isTemporaryRefusal)
        #expect(!RedisError.server("NOSCRIPT No matching script").isTemporaryRefusal)
        #expect(!RedisError.connection("Connection refused").isTemporaryRefusal)
    }
}
