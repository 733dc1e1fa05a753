//! pcie-model: placeholder until its first module lands.
