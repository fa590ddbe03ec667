/// The rule for a ModelArts project id, in one place: 32 lowercase hexadecimal ASCII characters. (Swift's
/// `Character.isHexDigit` also takes fullwidth digits such as "０", which ModelArts would refuse later.)
public enum ProjectID {
    public static func isValid(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
