# guest fixture
