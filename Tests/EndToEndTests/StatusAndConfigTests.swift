import Foundation
import Testing

/// `trainqd --check-config` on settings that cannot work together.
@Suite(.serialized) struct StatusAndConfigTests {
    @Test(arguments: [
        ("submit:\n  base_delay: 10s\n  max_delay: 5s\n", "submit.max_delay"),
        ("track:\n  min_interval: 5m\n  max_interval: 1m\n", "track.max_interval"),
    ])
    func checkConfigRefusesSettingsThatCannotWorkTogether(yaml: String, key: String) async throws {
        let directory = try TestDirectory()
        let file = directory.file("trainqd.yaml")
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try ChildProcess(
            BuiltProducts.path("trainqd"), ["--config", file, "--simulate", "--check-config"], directory: directory, name: "check"
        )
        #expect(await check.wait() == 78, "\(check.stderr)")
        #expect(check.stderr.contains("configuration key '\(key)'"), "\(check.stderr)")
    }
}
