import Testing

@testable import trainq

/// `trainq --socket PATH <command>`: the shared options before the command move after its name.
@Suite struct LeadingGlobalOptionsTests {
    let commands: Set<String> = ["list", "status", "submit"]

    @Test func sharedOptionsBeforeTheCommandMoveAfterIt() {
        #expect(
            LeadingGlobalOptions.reordered(["--socket", "/s", "list", "--state", "queued"], commands: commands)
                == ["list", "--socket", "/s", "--state", "queued"])
        #expect(
            LeadingGlobalOptions.reordered(["--json", "--socket=/s", "status"], commands: commands)
                == ["status", "--json", "--socket=/s"])
    }

    @Test func anythingElseIsLeftForTheParser() {
        for arguments in [
            ["list", "--socket", "/s"],  // already after
            ["--socket", "/s"],  // no command
            ["--socket", "/s", "nonsense"],  // not a command: the parser says so
            ["--help"],
            ["--socket"],  // a value missing
            [],
        ] {
            #expect(LeadingGlobalOptions.reordered(arguments, commands: commands) == arguments)
        }
    }
}
