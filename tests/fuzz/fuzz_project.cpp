// A studio project (.bitshift.json), opened as File › Open project does. An accepted project
// saved again and re-opened must give the same bytes (what the title's modified mark relies on).
#include "fuzz_common.h"
#include "project.h"

BITSHIFT_FUZZ_TARGET(project) {
  using namespace bitshift;
  const std::string path = fuzz::write_input("fuzz.bitshift.json", data, size);
  app::Project project;
  QString error;
  if (!app::load_project(QString::fromStdString(path), &project, &error)) {
    if (!error.contains(QString::fromStdString(path)))
      fuzz::finding("a refusal that does not name the input", error.toStdString());
    return 0;
  }
  const QByteArray saved = app::project_bytes(project);
  const std::string again = fuzz::write_input("again.bitshift.json",
                                              reinterpret_cast<const uint8_t*>(saved.data()),
                                              static_cast<size_t>(saved.size()));
  app::Project reopened;
  if (!app::load_project(QString::fromStdString(again), &reopened, &error))
    fuzz::finding("a saved project that does not open again", error.toStdString());
  if (app::project_bytes(reopened) != saved)
    fuzz::finding("a project that changes when saved and opened again", path);
  return 0;
}
