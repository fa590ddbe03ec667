import Foundation
import JSONTree

/// The list-versions answer (reference §2.5) read the way tracking reads it, every few seconds for every
/// job: each entry's id, status and timing, and its bytes for later (`VersionSighting`). At 100,000
/// tracked versions this is ten thousand entries a second; building each as a `VersionDetail` (45
/// members, every string copied) was half of the tracker's CPU. It reads exactly what `VersionList`
/// reads, as leniently, and fails where it fails.
public struct VersionStatusList: Sendable, Hashable {
    /// All versions of the job, not only this page.
    public var versionCount: Int64?
    public var versions: [VersionSighting]

    public static func decode(_ body: Data) throws(WireDecodingError) -> VersionStatusList {
        let context = "version list"
        let skimmed: JSONSkimmedObject?
        do {
            skimmed = try JSONValue.skim(body, keys: ["version_count"], expanding: "versions", elementKeys: VersionSighting.members)
        } catch {
            throw WireDecodingError(context: context, problem: "body is not valid JSON (\(LenientObject.describe(error)))")
        }
        guard let skimmed else {
            // Valid JSON but not an object: the full decoder says so in its own words.
            return try VersionStatusList(VersionList.decode(body))
        }
        guard let elements = skimmed.elements else {
            // No versions, or versions sent as a string of JSON: rare, and the full decoder knows both.
            return try VersionStatusList(VersionList.decode(body))
        }
        var versions: [VersionSighting] = []
        versions.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            let entryContext = context + ".versions[\(index)]"
            // A slice shares the body's storage: no copy of the entry is made unless it is kept.
            let entry = body[body.startIndex + element.byteRange.lowerBound..<body.startIndex + element.byteRange.upperBound]
            guard let members = element.members else {
                let value = try? JSONValue.parse(entry)
                throw WireDecodingError(context: entryContext, problem: "expected a JSON object, got \(value?.typeName ?? "a value")")
            }
            versions.append(try VersionSighting(LenientObject(members, context: entryContext), entry: entry))
        }
        return VersionStatusList(versionCount: LenientObject(skimmed.members, context: context).int64("version_count"), versions: versions)
    }

    init(versionCount: Int64?, versions: [VersionSighting]) {
        self.versionCount = versionCount
        self.versions = versions
    }

    init(_ list: VersionList) throws(WireDecodingError) {
        versionCount = list.versionCount
        var versions: [VersionSighting] = []
        for version in list.versions { versions.append(try VersionSighting(version)) }
        self.versions = versions
    }
}
