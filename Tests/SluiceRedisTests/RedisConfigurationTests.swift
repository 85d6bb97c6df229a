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

    @Test(
        "redis+sentinel:// URLs: several sentinels (26379 by default), the master's name, credentials for the master, db and the sentinels' password")
    func sentinelURL() throws {
        let configuration = try RedisConfiguration(
            url: "redis+sentinel://ops:s%40cret@10.0.0.1:26380,10.0.0.2,[::1]:26381/jobs?db=2&sentinel_password=x")
        let group = RedisConfiguration.SentinelGroup(
            sentinels: [.init(host: "10.0.0.1", port: 26380), .init(host: "10.0.0.2", port: 26379), .init(host: "::1", port: 26381)],
            masterName: "jobs", sentinelPassword: "x")
        #expect(configuration.endpoint == .sentinel(group))
        #expect(configuration.username == "ops")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == 2)
        #expect(configuration.description == "redis+sentinel://ops:***@10.0.0.1:26380,10.0.0.2:26379,[::1]:26381/jobs?db=2")
        let bare = try RedisConfiguration(url: "redis+sentinel://hunter2@s1:1/m")
        #expect(bare.password == "hunter2")
        #expect(bare.username == nil)
    }

    @Test(
        "bad sentinel URLs are configuration errors",
        arguments: [
            "redis+sentinel://s1:26379", "redis+sentinel://s1:26379/", "redis+sentinel://s1:x/m", "redis+sentinel://,s2/m",
            "redis+sentinel://s1/m?dbx=1",
        ])
    func badSentinelURLs(url: String) {
        #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
    }

    @Test("bad URLs are configuration errors", arguments: ["http://x", "redis://host/abc", "redis://host:99999", "unix://", "not a url"])
    func badURLs(url: String) {
        #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
    }
}
