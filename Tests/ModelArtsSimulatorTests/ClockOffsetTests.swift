import Foundation
import JSONTree
import ModelArts
import ModelArtsSimulator
import NIOHTTP1
import Testing

/// `clock_offset` moves the whole service clock, as a drifting cloud clock would: `create_time`, the
/// `Date` header and the signature window agree with each other, not with the host.
@Suite struct SimulatorClockOffsetTests {
    @Test(arguments: [-600, 0, 600] as [Int64])
    func timestampsAndDateFollowTheOffset(offset: Int64) async throws {
        try await ClientTestSupport.withSignedClient(.init(clockOffset: .seconds(offset))) { client, http in
            let before = Date()
            let created = try await client.createVersion(jobID: 10, request: try ClientTestSupport.sampleRequest())
            let createTime = Date(timeIntervalSince1970: TimeInterval(try #require(created.createTime)) / 1000)
            #expect(abs(createTime.timeIntervalSince(before) - TimeInterval(offset)) < 5)
            let learned = try #require(client.serverClock.current)
            #expect(abs(learned.midpoint.components.seconds - offset) <= 2)
            #expect(learned.uncertainty <= .seconds(2))
            let reply = try await http.send(.GET, "/_sim/ledger")
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let date = try #require(reply.headers.first(name: "Date").flatMap(formatter.date(from:)))
            #expect(abs(date.timeIntervalSinceNow - TimeInterval(offset)) < 5)
            #expect(reply.headers["Date"].count == 1)
        }
    }

    /// A host more than the signature window off cannot sign: 401 `APIGW.0301`, as the real gateway answers.
    @Test func aClockBeyondTheSignatureWindowIsRefused() async throws {
        try await ClientTestSupport.withSignedClient(.init(clockOffset: .seconds(16 * 60))) { client, _ in
            let failure = await ClientTestSupport.failure { () async throws(ModelArtsError) in
                try await client.listVersions(jobID: 10, page: 1, perPage: 1)
            }
            #expect(failure?.httpStatus == 401)
            #expect(failure?.errorCode == "APIGW.0301")
        }
    }
}
