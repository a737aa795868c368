// SHA-256 against the FIPS 180-2 example vectors, written out by hand.
#include <gtest/gtest.h>

#include <string>

#include "deploy/host/sha256.h"

namespace bitshift {
namespace {

TEST(Sha256, FipsVectorAbc) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, FipsVectorEmpty) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, FipsVectorTwoBlocks) {
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, FipsVectorMillionAsInOddPieces) {
  Sha256 h;
  const std::string piece(997, 'a');  // odd-sized updates cross block boundaries everywhere
  size_t left = 1000000;
  while (left > 0) {
    const size_t n = std::min(left, piece.size());
    h.update(piece.data(), n);
    left -= n;
  }
  EXPECT_EQ(h.hex_digest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PaddingBoundaryLengths) {
  // 55, 56 and 64 bytes put the length field at the edge of one or two final blocks; the
  // streaming and one-shot paths must agree there.
  for (size_t len : {55u, 56u, 63u, 64u, 65u}) {
    const std::string s(len, 'x');
    Sha256 h;
    for (char ch : s) h.update(&ch, 1);
    EXPECT_EQ(h.hex_digest(), sha256_hex(s)) << len << " bytes";
  }
  EXPECT_EQ(sha256_hex(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

}  // namespace
}  // namespace bitshift
