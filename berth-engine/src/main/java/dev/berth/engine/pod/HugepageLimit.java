package dev.berth.engine.pod;

/** A hugetlb limit (CRI {@code HugepageLimit}): page size as "2MB", "1GB"; limit in bytes. */
public record HugepageLimit(String pageSize, long limit) {
}
