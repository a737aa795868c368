// Normalisation given on the command line: numbers, one for all channels, imagenet, and the
// messages for everything else.
#include <gtest/gtest.h>

#include "data/normalization.h"
#include "test_files.h"

using namespace bitshift;
using namespace bitshift::test;

namespace {
const Normalization kMeasured{{0.1f, 0.2f, 0.3f}, {0.4f, 0.5f, 0.6f}};
}

TEST(Normalization, ImagenetValuesAreTorchvisions) {
  const Normalization n = normalization_from_text("imagenet", "imagenet", 3, kMeasured);
  EXPECT_EQ(n.mean, (std::vector<float>{0.485f, 0.456f, 0.406f}));
  EXPECT_EQ(n.std, (std::vector<float>{0.229f, 0.224f, 0.225f}));
}

TEST(Normalization, OneValueServesEveryChannelAndAnEmptyTextKeepsTheMeasured) {
  const Normalization n = normalization_from_text("0.5", "", 3, kMeasured);
  EXPECT_EQ(n.mean, (std::vector<float>{0.5f, 0.5f, 0.5f}));
  EXPECT_EQ(n.std, kMeasured.std);
  EXPECT_EQ(normalization_from_text("", "0.1,0.2,0.25", 3, kMeasured).std,
            (std::vector<float>{0.1f, 0.2f, 0.25f}));
}

TEST(Normalization, BadTextsAreNamed) {
  EXPECT_CONTAINS(error_of([] { normalization_from_text("0.5,0.5", "", 3, kMeasured); }),
                  "mean '0.5,0.5' has 2 values but the model's input has 3 channels");
  EXPECT_CONTAINS(error_of([] { normalization_from_text("", "0.2,x", 3, kMeasured); }),
                  "std '0.2,x': 'x' is not a number");
  EXPECT_CONTAINS(error_of([] { normalization_from_text("", "0.2,0,0.2", 3, kMeasured); }),
                  "std '0.2,0,0.2' must be > 0");
  EXPECT_CONTAINS(error_of([] { normalization_from_text("imagenet", "", 1, kMeasured); }),
                  "has 3 values but the model's input has 1 channel (");
  EXPECT_CONTAINS(error_of([] { normalization_from_text("0.5nan", "", 1, kMeasured); }),
                  "'0.5nan' is not a number");
}
