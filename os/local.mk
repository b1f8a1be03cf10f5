# native os layer
