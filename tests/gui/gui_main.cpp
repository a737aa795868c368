// GoogleTest main for the studio tests: one QApplication for all of them, offscreen unless the
// environment says otherwise, settings, runs and caches kept out of the user's folders.
#include <gtest/gtest.h>

#include <QApplication>
#include <QStandardPaths>

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  qputenv("BITSHIFT_STUDIO_DIR", BITSHIFT_TEST_TMP "/studio");
  qputenv("XDG_CACHE_HOME", BITSHIFT_TEST_TMP "/cache");  // the sensitivity cache
  QStandardPaths::setTestModeEnabled(true);
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("bitshift-tests"));
  QApplication::setApplicationName(QStringLiteral("bitshift-tests"));
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
