import SluiceRedis
import Testing

@Suite("RedisConfiguration URLs")
struct RedisConfigurationTests {
    @Test("redis:// URLs with user, password and database")
    func fullURL() throws {
        let configuration = try RedisConfiguration(url: "redis://ops:s%40cret@redis.internal:6380/3")
        #expect(configuration.endpoint == .tcp(host: "redis.internal", port: 6380))
        #expect(configuration.username == "ops")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == 3)
        #expect(!configuration.description.contains("cret"))
    }

    @Test("defaults: localhost, 6379, database 0")
    func defaults() throws {
        let configuration = try RedisConfiguration(url: "redis://")
        #expect(configuration.endpoint == .tcp(host: "127.0.0.1", port: 6379))
        #expect(configuration.database == 0)
        #expect(configuration.password == nil)
    }

    @Test("a password without a user")
    func passwordOnly() throws {
        let configuration = try RedisConfiguration(url: "redis://hunter2@localhost:6379")
        #expect(configuration.password == "hunter2")
        #expect(configuration.username == nil)
        #expect(!configuration.description.contains("hunter2"))
    }

    @Test("unix sockets")
    func unixSocket() throws {
        let configuration = try RedisConfiguration(url: "unix:///run/redis.sock?db=2")
        #expect(configuration.endpoint == .unix(path: "/run/redis.sock"))
        #expect(configuration.database == 2)
    }

    @Test("bad URLs are configuration errors", arguments: ["http://x", "redis://host/abc", "redis://host:99999", "unix://", "not a url"])
    func badURLs(url: String) {
        #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
    }
}
