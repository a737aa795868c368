#include "model_panel.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include "convert.h"

namespace bitshift::app {

namespace {

void select(QComboBox* box, const QString& value) {
  int i = box->findData(value);
  if (i < 0) i = box->findText(value);
  if (i < 0) {
    // A file or folder shows by its name (a path would widen the panel); its tooltip is the path.
    const bool path = value.contains(QLatin1Char('/'));
    box->addItem(path ? QFileInfo(QDir::cleanPath(value)).fileName() : value, value);
    i = box->count() - 1;
    if (path) box->setItemData(i, value, Qt::ToolTipRole);
  }
  box->setCurrentIndex(i);
}

QString current(const QComboBox* box) {
  const QVariant d = box->currentData();
  return d.isValid() ? d.toString() : box->currentText();
}

// Selects `keep` in place of the current entry; drops that entry when it is not one of the
// box's first `builtins` (a file or folder the user added).
void replace_current(QComboBox* box, const QString& keep, int builtins) {
  const int failed = box->currentIndex();
  select(box, keep);
  if (failed >= builtins && box->currentIndex() != failed) box->removeItem(failed);
}

}  // namespace

ModelPanel::ModelPanel(QWidget* parent) : QWidget(parent) {
  auto* model_box = new QGroupBox(tr("Model"), this);
  model_ = new QComboBox(model_box);
  for (const auto& m : studio::zoo_models()) model_->addItem(qs(m), qs(m));
  model_->setToolTip(tr("A zoo model loads its shipped FP32 baseline for the dataset"));
  auto* open = new QPushButton(tr("Model file…"), model_box);
  open->setToolTip(
      tr("Open an ONNX or TorchScript model (.onnx, .pt, .pth) or an FP32 or "
         "quantized Bitshift checkpoint (.bsck)"));
  data_ = new QComboBox(model_box);
  for (const auto& d : studio::datasets()) data_->addItem(qs(d), qs(d));
  zoo_entries_ = model_->count();
  dataset_entries_ = data_->count();
  auto* data_folder = new QPushButton(tr("Data folder…"), model_box);
  data_folder->setToolTip(
      tr("A folder of IDX files, CIFAR-10 binary batches, or images in "
         "train/<class>/ and test/<class>/"));
  origin_ = new QLabel(model_box);
  origin_->setWordWrap(true);
  origin_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* model_form = new QFormLayout(model_box);
  model_form->addRow(tr("Network"), model_);
  model_form->addRow(QString(), open);
  model_form->addRow(tr("Data"), data_);
  model_form->addRow(QString(), data_folder);
  model_form->addRow(origin_);

  auto* plan_box = new QGroupBox(tr("Plan preset"), this);
  method_ = new QComboBox(plan_box);
  for (const auto& m : method_choices()) {
    method_->addItem(QStringLiteral("%1 (%2)").arg(m.name, m.id), m.id);
    method_->setItemData(method_->count() - 1, m.description, Qt::ToolTipRole);
  }
  preset_ = new QComboBox(plan_box);
  for (const auto& p : studio::presets()) preset_->addItem(qs(p), qs(p));
  edges_ = new QComboBox(plan_box);
  edges_->addItem(tr("method's policy"), QString());
  const QStringList edge_text = {tr("quantized"), tr("first FP32"), tr("first and last FP32"),
                                 tr("first and last 8-bit")};
  int k = 0;
  for (const auto& e : studio::edge_policies()) edges_->addItem(edge_text.value(k++), qs(e));
  edges_->setToolTip(tr("Precision of the first and last weight layers"));
  auto* apply = new QPushButton(tr("Apply to all layers"), plan_box);
  apply->setToolTip(tr("Reset every row of the plan to this preset (Ctrl+Shift+A)"));
  apply->setShortcut(QKeySequence(tr("Ctrl+Shift+A")));
  auto* plan_form = new QFormLayout(plan_box);
  plan_form->addRow(tr("Method"), method_);
  plan_form->addRow(tr("Bits"), preset_);
  plan_form->addRow(tr("First/last"), edges_);
  plan_form->addRow(QString(), apply);

  auto* train_box = new QGroupBox(tr("Fine-tuning"), this);
  epochs_ = new QSpinBox(train_box);
  epochs_->setRange(1, 500);
  lr_ = new QDoubleSpinBox(train_box);
  lr_->setDecimals(5);
  lr_->setRange(1e-5, 1.0);
  lr_->setSingleStep(0.001);
  train_limit_ = new QSpinBox(train_box);
  train_limit_->setRange(0, 10'000'000);
  train_limit_->setSpecialValueText(tr("all"));
  train_limit_->setSingleStep(1000);
  test_limit_ = new QSpinBox(train_box);
  test_limit_->setRange(0, 10'000'000);
  test_limit_->setSpecialValueText(tr("all"));
  test_limit_->setSingleStep(1000);
  seed_ = new QSpinBox(train_box);
  seed_->setRange(0, 1'000'000);
  processes_ = new QSpinBox(train_box);
  processes_->setRange(1, 64);
  processes_->setToolTip(tr("Data-parallel fine-tuning on this many local processes (the batch is "
                            "split among them; results equal one process's up to rounding)"));
  auto* train_form = new QFormLayout(train_box);
  train_form->addRow(tr("Epochs"), epochs_);
  train_form->addRow(tr("Learning rate"), lr_);
  train_form->addRow(tr("Train images"), train_limit_);
  train_form->addRow(tr("Test images"), test_limit_);
  train_form->addRow(tr("Seed"), seed_);
  train_form->addRow(tr("Processes"), processes_);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(model_box);
  layout->addWidget(plan_box);
  layout->addWidget(train_box);
  layout->addStretch(1);

  show(Project{});
  auto model_changed = [this] {
    if (!quiet_) Q_EMIT modelRequested();
  };
  auto preset_changed = [this] {
    if (!quiet_) Q_EMIT presetRequested();
  };
  connect(model_, &QComboBox::currentIndexChanged, this, model_changed);
  connect(data_, &QComboBox::currentIndexChanged, this, model_changed);
  connect(open, &QPushButton::clicked, this, &ModelPanel::chooseModelFile);
  connect(data_folder, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a dataset folder"));
    if (!dir.isEmpty()) select(data_, dir);  // emits modelRequested
  });
  connect(method_, &QComboBox::currentIndexChanged, this, preset_changed);
  connect(preset_, &QComboBox::currentIndexChanged, this, preset_changed);
  connect(edges_, &QComboBox::currentIndexChanged, this, preset_changed);
  connect(apply, &QPushButton::clicked, this, preset_changed);
  // The fine-tuning settings are part of the project too.
  auto edited = [this] {
    if (!quiet_) Q_EMIT settingsEdited();
  };
  for (QSpinBox* box : {epochs_, train_limit_, test_limit_, seed_, processes_})
    connect(box, &QSpinBox::valueChanged, this, edited);
  connect(lr_, &QDoubleSpinBox::valueChanged, this, edited);
}

QString ModelPanel::model() const { return current(model_); }
QString ModelPanel::data() const { return current(data_); }
QString ModelPanel::method() const { return current(method_); }
QString ModelPanel::preset() const { return current(preset_); }
QString ModelPanel::edges() const { return current(edges_); }

TrainingSettings ModelPanel::training() const {
  TrainingSettings t;
  t.epochs = epochs_->value();
  t.lr = lr_->value();
  t.train_limit = train_limit_->value();
  t.test_limit = test_limit_->value();
  t.seed = seed_->value();
  t.processes = processes_->value();
  return t;
}

void ModelPanel::show(const Project& p) {
  quiet_ = true;
  select(model_, p.model);
  select(data_, p.data);
  select(method_, p.method);
  select(preset_, p.preset);
  select(edges_, p.edges);
  epochs_->setValue(p.training.epochs);
  lr_->setValue(p.training.lr);
  train_limit_->setValue(static_cast<int>(p.training.train_limit));
  test_limit_->setValue(static_cast<int>(p.training.test_limit));
  seed_->setValue(static_cast<int>(p.training.seed));
  processes_->setValue(p.training.processes);
  quiet_ = false;
}

void ModelPanel::setOrigin(const QString& text) { origin_->setText(text); }
QString ModelPanel::origin() const { return origin_->text(); }

void ModelPanel::setPreset(const QString& preset) {
  quiet_ = true;
  select(preset_, preset);
  quiet_ = false;
}

void ModelPanel::setModel(const QString& model) {
  quiet_ = true;
  select(model_, model);
  quiet_ = false;
}

void ModelPanel::restore(const QString& model, const QString& data) {
  quiet_ = true;
  replace_current(model_, model, zoo_entries_);
  replace_current(data_, data, dataset_entries_);
  quiet_ = false;
}

QString ModelPanel::modelFileFilter() {
  return tr("Models (*.onnx *.pt *.pth *.bsck);;All files (*)");
}

bool ModelPanel::isModelFile(const QString& path) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  return suffix == QLatin1String("onnx") || suffix == QLatin1String("pt") ||
         suffix == QLatin1String("pth") || suffix == QLatin1String("bsck");
}

void ModelPanel::chooseModelFile() {
  const QString path =
      QFileDialog::getOpenFileName(this, tr("Open model"), QString(), modelFileFilter());
  if (path.isEmpty()) return;
  setModel(path);
  Q_EMIT modelRequested();  // also when the same file is picked again: it is read afresh
}

}  // namespace bitshift::app
