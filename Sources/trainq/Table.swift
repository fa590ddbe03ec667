import Foundation

/// Plain-text tables for people: columns padded to their widest cell.
enum Table {
    /// `decorate` sees each padded body cell with its column, after the widths are set, so colour
    /// codes never count as width.
    static func render(_ rows: [[String]], decorate: ((_ row: Int, _ column: Int, _ cell: String) -> String)? = nil) -> String {
        guard let header = rows.first else { return "" }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return rows.enumerated().map { rowIndex, row in
            row.enumerated().map { index, cell in
                let padded = index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                guard rowIndex > 0, let decorate else { return padded }
                return decorate(rowIndex - 1, index, padded)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
